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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a mistguard started with SIGHUP ignored ({@code nohup}) could not reload on SIGHUP,
 * and one started with SIGTERM ignored could not be stopped by it, and neither said so. The JVM
 * installs no handler for a signal ignored at start ({@code Signal.handle} returns {@code SIG_IGN},
 * and a raised signal reaches nobody). mistguard now logs both at WARN.
 *
 * <p>Starts the real command line ({@link Main}) in a child JVM whose shell ignores HUP and TERM,
 * reads its output for the two warnings, checks it still accepts connections, and then kills it (SIGKILL: its SIGTERM is ignored).
 */
class IgnoredSignalsRegressionIT {

    private static final Duration WITHIN = Duration.ofSeconds(30);

    @Test
    void aMistguardStartedWithSighupAndSigtermIgnoredSaysSo(@TempDir Path dir) throws Exception {
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
        Process child = new ProcessBuilder(List.of("bash", "-c", "trap '' HUP TERM; exec \"$0\" -cp \"$1\" \"$2\" --config \"$3\"",
                java, classPath, Main.class.getName(), config.toString()))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            long deadline = System.nanoTime() + WITHIN.toNanos();
            String log = "";
            while (System.nanoTime() < deadline && child.isAlive()
                    && !(log.contains("SIGHUP is ignored") && log.contains("SIGTERM is ignored"))) {
                Thread.sleep(100);
                log = Files.readString(out);
            }
            assertThat(log).as("mistguard's output")
                    .contains("SIGHUP is ignored by this process (started under nohup?) and cannot reload it")
                    .contains("SIGTERM is ignored by this process (it was ignored when it started)");
            // Still serving: the warnings are advice, not a failed start.
            assertThat(child.isAlive()).as("mistguard still running").isTrue();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            }
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
