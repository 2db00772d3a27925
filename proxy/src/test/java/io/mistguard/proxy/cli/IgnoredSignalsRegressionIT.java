package io.mistguard.proxy.cli;

import static io.mistguard.proxy.LoopbackPorts.free;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a mistguard started with SIGHUP ignored ({@code nohup}) could not reload on SIGHUP,
 * and one started with SIGTERM ignored could not be stopped by it, and neither said so. The JVM
 * installs no handler for a signal ignored at start ({@code Signal.handle} returns {@code SIG_IGN},
 * and a raised signal reaches nobody). mistguard now logs each at WARN, and does not name SIGINT as
 * the way out when SIGINT is ignored too (a non-interactive shell's background job).
 *
 * <p>Starts the real command line in a child JVM ({@link ChildMistguard}) with the signals ignored,
 * reads its output for the warnings, checks it still accepts connections, and then kills it
 * (SIGKILL: its SIGTERM is ignored).
 */
class IgnoredSignalsRegressionIT {

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
        String log = startedIgnoring(dir, "HUP,TERM");
        assertThat(log).contains(HUP_WARNING).contains(TERM_WARNING).doesNotContain("SIGINT are both ignored");
    }

    @Test
    void aMistguardStartedWithSigtermAndSigintIgnoredDoesNotAdviseSigint(@TempDir Path dir) throws Exception {
        String log = startedIgnoring(dir, "HUP,TERM,INT");
        assertThat(log).contains(HUP_WARNING).contains(TERM_AND_INT_WARNING).doesNotContain("stop it with SIGINT");
    }

    /** Starts mistguard (with a config file) ignoring {@code ignored}; returns its output once it serves. */
    private static String startedIgnoring(Path dir, String ignored) throws Exception {
        Path config = dir.resolve("mistguard.yaml");
        int port = free();
        Files.writeString(config, """
                listen: 127.0.0.1:%d
                upstream:
                  url: http://127.0.0.1:1
                admin:
                  listen: 127.0.0.1:%d
                io_threads: 1
                invalidations:
                  state_file: ""
                """.formatted(port, free()));
        ChildMistguard child = ChildMistguard.start(dir, ignored, "--config", config.toString());
        try {
            child.awaitOutput("mistguard listening on", HUP_WARNING);
            child.assertServing(port);
            return child.output();
        } finally {
            child.kill();
        }
    }
}
