package io.mistguard.proxy.cli;

import static io.mistguard.proxy.LoopbackPorts.free;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a mistguard started without {@code --config} left SIGHUP to the JVM, which stops the
 * process at once — undrained, exit status 129 — so an operator's habitual {@code kill -HUP} to
 * reload took the sidecar down. Now SIGHUP without a file is logged at WARN and changes nothing;
 * only a demo without a file stops on it (gracefully, exit 0), as a program whose terminal went away.
 *
 * <p>Starts the real command line in a child JVM ({@link ChildMistguard}), sends it SIGHUP with
 * {@code kill}, and watches what it does.
 */
class HangUpWithoutConfigRegressionIT {

    @Test
    void sighupWithoutAConfigFileIsLoggedAndMistguardKeepsServing(@TempDir Path dir) throws Exception {
        int port = free();
        ChildMistguard child = ChildMistguard.start(dir, "", "--listen", "127.0.0.1:" + port,
                "--admin-listen", "127.0.0.1:" + free(), "--upstream", "http://127.0.0.1:1");
        try {
            child.awaitOutput("mistguard listening on");
            child.signal("HUP");
            child.awaitOutput("SIGHUP: nothing to reload, mistguard was started without --config; still serving");
            child.assertServing(port);
            child.signal("TERM"); // and SIGTERM still drains and stops it
            assertThat(child.awaitExit()).isZero();
            assertThat(child.output()).contains("received SIGTERM, draining");
        } finally {
            child.kill();
        }
    }

    @Test
    void sighupStopsADemoWithoutAConfigFileGracefully(@TempDir Path dir) throws Exception {
        ChildMistguard child = ChildMistguard.start(dir, "", "--demo", "--listen", "127.0.0.1:" + free(),
                "--admin-listen", "127.0.0.1:" + free());
        try {
            child.awaitOutput("mistguard listening on");
            child.signal("HUP");
            assertThat(child.awaitExit()).as("exit status").isZero();
            assertThat(child.output()).contains("received SIGHUP, draining");
        } finally {
            child.kill();
        }
    }
}
