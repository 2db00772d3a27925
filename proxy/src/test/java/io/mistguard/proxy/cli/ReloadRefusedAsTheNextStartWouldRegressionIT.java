package io.mistguard.proxy.cli;

import static io.mistguard.proxy.LoopbackPorts.free;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault "a reload accepts a file that the next start refuses": with {@code --listen} on the
 * command line, a reloaded file whose {@code upstream.url} was that address was applied, with
 * {@code upstream.url} listed as needing a restart, and the restart then refused to start (status 2):
 * the outage came at the next pod restart instead of at the reload. A reload now makes the same
 * checks of the file with the flags applied as a start does, and refuses it while the running
 * configuration still serves. Real command line in a child JVM ({@link ChildMistguard}), SIGHUP by
 * {@code kill}.
 */
class ReloadRefusedAsTheNextStartWouldRegressionIT {

    @Test
    void aReloadThatTheNextStartWouldRefuseIsRefusedAndTheOldConfigServesRegression(@TempDir Path dir)
            throws Exception {
        int port = free();
        Path file = dir.resolve("mistguard.yaml");
        Files.writeString(file, "upstream: {url: \"http://127.0.0.1:1\"}\n");
        ChildMistguard child = ChildMistguard.start(dir, "", "--config", file.toString(),
                "--listen", "127.0.0.1:" + port, "--admin-listen", "127.0.0.1:" + free());
        try {
            child.awaitOutput("mistguard listening on");
            Files.writeString(file, "upstream: {url: \"http://127.0.0.1:" + port + "\"}\n");
            child.signal("HUP");
            String log = child.awaitOutput("reload (SIGHUP) refused, the running config stays in force");
            assertThat(log).contains("a start with this file would be refused: upstream.url: http://127.0.0.1:" + port
                                     + " is mistguard's own listen address");
            assertThat(log).doesNotContain("reload (SIGHUP) applied");
            child.assertServing(port);
            child.signal("TERM");
            assertThat(child.awaitExit()).isZero();
        } finally {
            child.kill();
        }
    }

    /** The same class: an admin listener opened to the network without a token, which a start refuses. */
    @Test
    void aReloadOpeningTheAdminListenerWithoutATokenIsRefusedRegression(@TempDir Path dir) throws Exception {
        int port = free();
        int admin = free();
        Path file = dir.resolve("mistguard.yaml");
        Files.writeString(file, "upstream: {url: \"http://127.0.0.1:1\"}\nadmin: {listen: \"127.0.0.1:" + admin + "\"}\n");
        ChildMistguard child = ChildMistguard.start(dir, "", "--config", file.toString(), "--listen", "127.0.0.1:" + port);
        try {
            child.awaitOutput("mistguard listening on");
            Files.writeString(file, "upstream: {url: \"http://127.0.0.1:1\"}\nadmin: {listen: \"0.0.0.0:" + admin + "\"}\n");
            child.signal("HUP");
            String log = child.awaitOutput("reload (SIGHUP) refused, the running config stays in force");
            assertThat(log).contains("a start with this file would be refused: admin.listen is 0.0.0.0:" + admin
                                     + ", which is not a loopback address, and no admin token is set");
            child.assertServing(port);
            child.signal("TERM");
            assertThat(child.awaitExit()).isZero();
        } finally {
            child.kill();
        }
    }
}
