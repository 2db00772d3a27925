package io.mistguard.proxy.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A mistguard run the way it is deployed — its own JVM, its own command line, a config file,
 * stopped by SIGTERM — so the soak can stop and restart it. The JVM gets the container's heap and
 * memory flags (deploy/Dockerfile) plus the test JVMs' paranoid leak detection, and runs
 * {@link SoakChild} from the test class path (so it logs as the tests do: warnings and errors,
 * Netty's leak reports among them). Its output goes to a log file the soak reads for leak and
 * blocking reports. Not thread-safe: the soak's main thread drives it.
 */
final class MistguardProcess {

    /** The Dockerfile's flags, with room in metaspace for BlockHound's instrumentation. */
    private static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx128m",
            "-XX:MaxNewSize=16m", "-XX:MinHeapFreeRatio=20", "-XX:MaxDirectMemorySize=32m", "-XX:MaxMetaspaceSize=128m", "-Xss512k", "-XX:+ExitOnOutOfMemoryError",
            "-Dio.netty.leakDetection.level=paranoid",
            "-Dio.netty.customResourceLeakDetector=io.mistguard.sim.junit.RecordingLeakDetector",
            "-Dio.netty.leakDetection.targetRecords=8", "-XX:+EnableDynamicAgentLoading",
            "-XX:+AllowRedefinitionToAddDeleteMethods",
            "--add-opens=java.base/java.nio=ALL-UNNAMED"); // what the jar's manifest opens (Main.nettyDefaults)

    private final Process process;
    private final Path log;

    private MistguardProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static MistguardProcess start(Path config, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.add("-cp");
        command.add(classPath());
        command.add(SoakChild.class.getName());
        command.add("--config");
        command.add(config.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new MistguardProcess(p, log);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits until {@code /readyz} answers 200; false if the process died or {@code timeout} passed. */
    boolean awaitReady(AdminClient admin, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (admin.ready()) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Sends SIGTERM and waits for the exit; the exit status, or -1 if it had to be killed. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy(); // SIGTERM on Linux
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        return -1;
    }

    /** Runs a full GC in the process ({@code jcmd PID GC.run}); false if jcmd failed. */
    boolean collectGarbage() throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return gc.waitFor(60, TimeUnit.SECONDS) && gc.exitValue() == 0;
    }

    /** Lines of the process's log reporting a Netty leak (its own or Netty's logger's). */
    List<String> leakLines() throws IOException {
        return grep(l -> l.startsWith(SoakChild.LEAK) || l.contains("LEAK:"));
    }

    /** Adds the stalls the process reported ({@link SoakChild#STALL} lines) to {@code log}. */
    void stallsInto(StallLog log) throws IOException {
        for (String line : grep(l -> l.startsWith(SoakChild.STALL))) {
            String[] f = line.split(" ");
            log.add(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
        }
    }

    /** Lines of the process's log reporting a blocking call on a mistguard event loop. */
    List<String> blockingLines() throws IOException {
        return grep(l -> l.startsWith(SoakChild.BLOCKING));
    }

    private List<String> grep(java.util.function.Predicate<String> which) throws IOException {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(which).toList();
        }
    }

    /**
     * The test JVM's class path: surefire and failsafe may start it from a manifest-only jar, in
     * which case they name the real one in {@code surefire.test.class.path}.
     */
    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }
}
