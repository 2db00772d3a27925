package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.Main;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * mistguard's real command line ({@link Main}) in a child JVM, for tests of how it meets signals.
 * SIGHUP, SIGINT and SIGTERM start at their defaults, except those asked to be ignored — whatever
 * the test JVM inherited (a build started under {@code nohup}, or as a script's background job,
 * ignores some). perl sets them and execs Java: a non-interactive bash cannot un-ignore a signal it
 * was started with ignored, and perl is part of every Debian-based system. Output (logging at INFO)
 * goes to a file.
 */
record ChildMistguard(Process process, Path out) {

    static final Duration WITHIN = Duration.ofSeconds(30);
    private static final String SET_SIGNALS_AND_EXEC = "my @ignored = grep { length } split /,/, shift; "
            + "$SIG{$_} = 'DEFAULT' for qw(HUP INT TERM); $SIG{$_} = 'IGNORE' for @ignored; "
            + "exec @ARGV or die \"exec: $!\"";

    /** @param ignored comma-separated signal names without SIG ("HUP,TERM"), or "" */
    static ChildMistguard start(Path dir, String ignored, String... args) throws IOException {
        return start(dir, List.of(), ignored, args);
    }

    /** As {@link #start(Path, String, String...)}, with {@code jvmOptions} before the main class. */
    static ChildMistguard start(Path dir, List<String> jvmOptions, String ignored, String... args) throws IOException {
        Path out = dir.resolve("out.log");
        List<String> command = new ArrayList<>(List.of("perl", "-e", SET_SIGNALS_AND_EXEC, ignored,
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("MISTGUARD_TEST_LOG", "INFO");
        return new ChildMistguard(builder.start(), out);
    }

    String output() throws IOException {
        return Files.readString(out);
    }

    /** Waits until the output holds every one of {@code texts} (or the process ends, or {@link #WITHIN}); returns it. */
    String awaitOutput(String... texts) throws Exception {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        String log = output();
        while (!containsAll(log, texts) && System.nanoTime() < deadline && process.isAlive()) {
            Thread.sleep(50);
            log = output();
        }
        assertThat(log).as("output of mistguard").contains(texts);
        return log;
    }

    /** Sends a signal with {@code kill}. */
    void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s", name).isZero();
    }

    /** Asserts the process is still running and accepts connections on {@code port}. */
    void assertServing(int port) throws Exception {
        assertThat(process.isAlive()).as("mistguard still running; its output: %s", output()).isTrue();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        }
    }

    /** Waits for the process to end; returns its exit status. */
    int awaitExit() throws Exception {
        assertThat(process.waitFor(WITHIN.toSeconds(), TimeUnit.SECONDS)).as("mistguard ended; output: %s", output())
                .isTrue();
        return process.exitValue();
    }

    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    private static boolean containsAll(String log, String... texts) {
        for (String text : texts) {
            if (!log.contains(text)) {
                return false;
            }
        }
        return true;
    }
}
