package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged {@code mistguard.jar} started as an operator starts it ({@code java -jar}), for the
 * loopback tests that need the jar itself and not the test class path (which has
 * {@code logback-test.xml}). Failsafe runs after {@code package}, which builds the jar.
 */
final class PackagedJar {

    static final Path JAR = Path.of("target", "mistguard.jar");
    static final String LISTENING = "mistguard listening on";

    private PackagedJar() {}

    /**
     * Starts the jar with {@code jvmFlags} and {@code args} on free loopback ports, with
     * {@code MISTGUARD_LOG_FORMAT} unset unless {@code env} sets it; waits for its listening line (or its
     * end), stops it with SIGTERM; returns its output.
     */
    static String run(Path dir, Map<String, String> env, List<String> jvmFlags, List<String> args) throws Exception {
        return run(dir, env, jvmFlags, args, adminPort -> { });
    }

    /** As {@link #run(Path, Map, List, List)}, and calls {@code whileListening} once the jar listens. */
    static String run(Path dir, Map<String, String> env, List<String> jvmFlags, List<String> args,
                      WhileListening whileListening) throws Exception {
        int adminPort = LoopbackPorts.free();
        List<String> serving = new ArrayList<>(List.of(
                "--listen", "127.0.0.1:" + LoopbackPorts.free(),
                "--admin-listen", "127.0.0.1:" + adminPort,
                "--upstream", "http://127.0.0.1:" + LoopbackPorts.free()));
        serving.addAll(args);
        Started started = start(dir, env, jvmFlags, serving);
        try {
            long deadline = System.nanoTime() + ChildMistguard.WITHIN.toNanos();
            while (!started.output().contains(LISTENING) && started.process().isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            if (started.output().contains(LISTENING)) {
                whileListening.call(adminPort);
            }
        } finally {
            started.process().destroy();
            if (!started.process().waitFor(ChildMistguard.WITHIN.toSeconds(), TimeUnit.SECONDS)) {
                started.process().destroyForcibly().waitFor();
            }
        }
        return started.output();
    }

    /** Runs the jar with {@code args} to its end (a command such as {@code check-config}); returns status and output. */
    static Ended exec(Path dir, Map<String, String> env, List<String> args) throws Exception {
        Started started = start(dir, env, List.of(), args);
        if (!started.process().waitFor(ChildMistguard.WITHIN.toSeconds(), TimeUnit.SECONDS)) {
            started.process().destroyForcibly().waitFor();
            throw new AssertionError("did not end: " + args + "\n" + started.output());
        }
        return new Ended(started.process().exitValue(), started.output());
    }

    private static Started start(Path dir, Map<String, String> env, List<String> jvmFlags, List<String> args)
            throws Exception {
        assertThat(JAR).as("the packaged jar").isRegularFile();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", JAR.toString()));
        command.addAll(args);
        Path out = dir.resolve("out-" + System.nanoTime() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().remove("MISTGUARD_LOG_FORMAT");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().putAll(env);
        return new Started(builder.start(), out);
    }

    /** What a test does with a running jar, given its admin port. */
    interface WhileListening {
        void call(int adminPort) throws Exception;
    }

    /** A started jar and the file its output goes to. */
    private record Started(Process process, Path out) {
        String output() throws Exception {
            return Files.readString(out);
        }
    }

    /** How a run of the jar ended. */
    record Ended(int status, String output) {}
}
