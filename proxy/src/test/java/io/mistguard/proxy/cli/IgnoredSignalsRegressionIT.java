package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.Main;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a mistguard started with SIGHUP ignored ({@code nohup}) could not reload on SIGHUP,
 * and one started with SIGTERM ignored could not be stopped by it, and neither said so. The JVM
 * installs no handler for a signal ignored at start ({@code Signal.handle} returns {@code SIG_IGN},
 * and a raised signal reaches nobody). mistguard now logs each at WARN, and does not name SIGINT as
 * the way out when SIGINT is ignored too (a non-interactive shell's background job).
 *
 * <p>Starts the real command line ({@link Main}) in a child JVM whose shell ignores the signals,
 * reads its output for the warnings, checks it still accepts connections, and then kills it
 * (SIGKILL: its SIGTERM is ignored).
 */
class IgnoredSignalsRegressionIT {

    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final String HUP_WARNING =
            "SIGHUP is ignored by this process (started under nohup?) and cannot reload it";
    private static final String TERM_WARNING =
            "SIGTERM is ignored by this process (it was ignored when it started): a SIGTERM will neither "
            + "drain nor stop mistguard; stop it with SIGINT";
    private static final String TERM_AND_INT_WARNING =
            "SIGTERM and SIGINT are both ignored by this process (they were ignored when it started): "
            + "no signal but SIGKILL will stop mistguard";

    @Test
    void aMistguardStartedWithSighupAndSigtermIgnoredSaysSo(@TempDir Path dir) throws Exception {
        String log = runUntil(dir, "HUP TERM", out -> out.contains(HUP_WARNING) && out.contains("SIGTERM"));
        assertThat(log).as("mistguard's output").contains(HUP_WARNING).contains(TERM_WARNING)
                .doesNotContain("SIGINT are both ignored");
    }

    @Test
    void aMistguardStartedWithSigtermAndSigintIgnoredDoesNotAdviseSigint(@TempDir Path dir) throws Exception {
        String log = runUntil(dir, "HUP TERM INT", out -> out.contains(HUP_WARNING) && out.contains("SIGTERM"));
        assertThat(log).as("mistguard's output").contains(HUP_WARNING).contains(TERM_AND_INT_WARNING)
                .doesNotContain("stop it with SIGINT");
    }

    /** Starts mistguard with {@code ignored} signals trapped to ignore, until {@code done} holds for its output. */
    private static String runUntil(Path dir, String ignored, Predicate<String> done) throws Exception {
        Path config = dir.resolve("mistguard.yaml");
        int port = freePort();
        Files.writeString(config, """
                listen: 127.0.0.1:%d
                upstream:
                  url: http://127.0.0.1:1
                admin:
                  listen: 127.0.0.1:%d
                io_threads: 1
                invalidations:
                  state_file: ""
                """.formatted(port, freePort()));
        Path out = dir.resolve("out.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(List.of("bash", "-c",
                "trap '' " + ignored + "; exec \"$0\" -cp \"$1\" \"$2\" --config \"$3\"",
                java, classPath, Main.class.getName(), config.toString()))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            long deadline = System.nanoTime() + WITHIN.toNanos();
            String log = "";
            while (System.nanoTime() < deadline && child.isAlive() && !done.test(log)) {
                Thread.sleep(100);
                log = Files.readString(out);
            }
            // Still serving: the warnings are advice, not a failed start.
            assertThat(child.isAlive()).as("mistguard still running; its output: %s", log).isTrue();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            }
            return Files.readString(out);
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
