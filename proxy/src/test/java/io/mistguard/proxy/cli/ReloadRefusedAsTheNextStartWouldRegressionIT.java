package io.mistguard.proxy.cli;

import static io.mistguard.proxy.LoopbackPorts.free;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    private static final String NOWHERE = "upstream: {url: \"http://127.0.0.1:1\"}\n";

    @Test
    void aReloadThatTheNextStartWouldRefuseIsRefusedAndTheOldConfigServesRegression(@TempDir Path dir)
            throws Exception {
        int port = free();
        String log = reloadRefused(dir, port, NOWHERE, "upstream: {url: \"http://127.0.0.1:" + port + "\"}\n",
                                   "--admin-listen", "127.0.0.1:" + free());
        assertThat(log).contains("a start with this file would be refused: upstream.url: http://127.0.0.1:" + port
                                 + " is mistguard's own listen address");
    }

    /** The same class: an admin listener opened to the network without a token, which a start refuses. */
    @Test
    void aReloadOpeningTheAdminListenerWithoutATokenIsRefusedRegression(@TempDir Path dir) throws Exception {
        int admin = free();
        String log = reloadRefused(dir, free(), NOWHERE + "admin: {listen: \"127.0.0.1:" + admin + "\"}\n",
                                   NOWHERE + "admin: {listen: \"0.0.0.0:" + admin + "\"}\n");
        assertThat(log).contains("a start with this file would be refused: admin.listen is 0.0.0.0:" + admin
                                 + ", which is not a loopback address, and no admin token is set");
    }

    /**
     * Starts mistguard on {@code port} with {@code before} as its file and {@code flags}, rewrites the
     * file to {@code after}, sends SIGHUP and checks the reload is refused and mistguard still serves
     * and stops cleanly; returns its output.
     */
    private static String reloadRefused(Path dir, int port, String before, String after, String... flags)
            throws Exception {
        Path file = dir.resolve("mistguard.yaml");
        Files.writeString(file, before);
        List<String> args = new ArrayList<>(List.of("--config", file.toString(), "--listen", "127.0.0.1:" + port));
        args.addAll(List.of(flags));
        ChildMistguard child = ChildMistguard.start(dir, "", args.toArray(String[]::new));
        try {
            child.awaitOutput("mistguard listening on");
            Files.writeString(file, after);
            child.signal("HUP");
            String log = child.awaitOutput("reload (SIGHUP) refused, the running config stays in force");
            assertThat(log).doesNotContain("reload (SIGHUP) applied");
            child.assertServing(port);
            child.signal("TERM");
            assertThat(child.awaitExit()).isZero();
            return log;
        } finally {
            child.kill();
        }
    }
}
