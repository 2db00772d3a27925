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
 * were read, ended mistguard with status 129. SIGHUP was held only after the config was read, and
 * until then the JVM's default handler had it. Now {@code main} holds it before anything else
 * ({@link HangUpHold}), and the start acts on it once it is up.
 *
 * <p>Deterministic: the child JVM logs its class loading, and the SIGHUP is sent once picocli's
 * {@code CommandLine} has been loaded, i.e. while the command line is being built, before any
 * config is read. The JVM's own start before {@code main} stays exposed, and is not tested.
 */
class EarlySighupRegressionIT {

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

    @Test
    void aSighupWhileADemoWithoutAFileStartsStopsItGracefully(@TempDir Path dir) throws Exception {
        ChildMistguard child = ChildMistguard.start(dir, LOG_CLASS_LOADING, "", "--demo",
                "--listen", "127.0.0.1:" + free(), "--admin-listen", "127.0.0.1:" + free());
        try {
            child.awaitOutput(COMMAND_LINE_LOADED);
            child.signal("HUP");
            assertThat(child.awaitExit()).as("exit status").isZero();
            assertThat(child.output()).contains("received SIGHUP, draining");
        } finally {
            child.kill();
        }
    }
}
