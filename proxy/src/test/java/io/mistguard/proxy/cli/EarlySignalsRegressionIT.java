package io.mistguard.proxy.cli;

import static io.mistguard.proxy.LoopbackPorts.free;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a SIGHUP in the first ~0.5 s of a start, while the command line and the config file
 * were read, ended mistguard with status 129, and a SIGTERM with 143 and no line in the log. Signals
 * were held only after the config was read, and until then the JVM's default handlers had them. Now
 * {@code main} holds them before anything else ({@link EarlySignals}): the start acts on a SIGHUP
 * once it is up, and a SIGTERM stops it before any listener opens, exit 0.
 *
 * <p>Deterministic: the child JVM logs its class loading, and the SIGHUP is sent once picocli's
 * {@code CommandLine} has been loaded, i.e. while the command line is being built, before any
 * config is read. The JVM's own start before {@code main} stays exposed, and is not tested.
 */
class EarlySignalsRegressionIT {

    private static final List<String> LOG_CLASS_LOADING = List.of("-Xlog:class+load=info");
    private static final String COMMAND_LINE_LOADED = "picocli.CommandLine ";

    @Test
    void aSighupWhileTheCommandLineIsReadIsHeldAndReloadsOnceStarted(@TempDir Path dir) throws Exception {
        int port = free();
        Path config = Files.writeString(dir.resolve("mistguard.yaml"), "listen: 127.0.0.1:" + port + "\n"
                + "admin:\n  listen: 127.0.0.1:" + free() + "\nupstream:\n  url: http://127.0.0.1:1\n");
        ChildMistguard child = ChildMistguard.start(dir, LOG_CLASS_LOADING, "", "--config", config.toString());
        try {
            child.awaitOutput(COMMAND_LINE_LOADED);
            child.signal("HUP");
            child.awaitOutput("mistguard listening on", "reload (SIGHUP during start-up) applied");
            child.assertServing(port);
            child.signal("TERM");
            assertThat(child.awaitExit()).as("exit status").isZero();
        } finally {
            child.kill();
        }
    }

    /** Found by review: a SIGTERM that early ended mistguard with status 143 and no line in its log. */
    @Test
    void aSigtermWhileTheCommandLineIsReadStopsMistguardCleanlyRegression(@TempDir Path dir) throws Exception {
        int port = free();
        ChildMistguard child = ChildMistguard.start(dir, LOG_CLASS_LOADING, "", "--listen", "127.0.0.1:" + port,
                "--admin-listen", "127.0.0.1:" + free(), "--upstream", "http://127.0.0.1:1");
        try {
            child.awaitOutput(COMMAND_LINE_LOADED);
            child.signal("TERM");
            assertThat(child.awaitExit()).as("exit status").isZero();
            assertThat(child.output()).contains("received SIGTERM while starting; stopping before any listener opens")
                    .doesNotContain("mistguard listening on");
        } finally {
            child.kill();
        }
    }

    @Test
    void aSighupWhileADemoWithoutAFileStartsStopsItGracefully(@TempDir Path dir) throws Exception {
        ChildMistguard child = ChildMistguard.start(dir, LOG_CLASS_LOADING, "", "--demo",
                "--listen", "127.0.0.1:" + free(), "--admin-listen", "127.0.0.1:" + free());
        try {
            child.awaitOutput(COMMAND_LINE_LOADED);
            child.signal("HUP");
            assertThat(child.awaitExit()).as("exit status").isZero();
            assertThat(child.output()).contains("received SIGHUP while starting; stopping before any listener opens");
        } finally {
            child.kill();
        }
    }
}
