package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.config.ProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StateFileCheck}: found by review, a state file that was a directory ended the start with a
 * stack trace, and one in a missing directory lost its names at shutdown; both passed check-config.
 */
class StateFileCheckTest {

    @TempDir
    Path dir;

    private static ProxyConfig withStateFile(Path file) {
        return ProxyConfig.defaults().withInvalidations(InvalidationsConfig.defaults().withStateFile(file));
    }

    @Test
    void aStateFileThatIsADirectoryIsRefusedRegression() {
        assertThat(StateFileCheck.problem(withStateFile(dir))).hasValue("invalidations.state_file: " + dir
                + " is a directory (expected: a file in a directory mistguard can write, or \"\" for none)");
    }

    @Test
    void aStateFileInADirectoryThatDoesNotExistIsRefusedRegression() {
        Path file = dir.resolve("missing").resolve("x.state");
        assertThat(StateFileCheck.problem(withStateFile(file))).hasValue("invalidations.state_file: " + file
                + ": its directory " + dir.resolve("missing") + " does not exist (expected: a file in a directory "
                + "mistguard can write, or \"\" for none)");
    }

    @Test
    void aStateFileThatIsAPipeIsRefused() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        assertThat(StateFileCheck.problem(withStateFile(fifo))).get().asString().contains("is not a regular file");
    }

    /**
     * Found by review: another user's state file in a sticky directory (as in /tmp) passed, and every
     * checkpoint's rename over it then failed, losing the names at shutdown. Checked for a user other
     * than the file's and the directory's owners (the tests may run as root, who may replace anything).
     */
    @Test
    void anotherUsersStateFileInAStickyDirectoryCannotBeReplacedRegression() throws Exception {
        Path sticky = Files.createDirectory(dir.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        Path file = Files.writeString(sticky.resolve("s.state"), "");
        int owner = (Integer) Files.getAttribute(file, "unix:uid");
        int other = owner == 65534 ? 65533 : 65534;
        assertThat(StateFileCheck.cannotReplace(file, sticky, other)).isTrue();
        assertThat(StateFileCheck.cannotReplace(file, sticky, owner)).as("its owner may").isFalse();
        assertThat(StateFileCheck.cannotReplace(file, sticky, 0)).as("root may").isFalse();
        Files.setAttribute(sticky, "unix:mode", 0777);
        assertThat(StateFileCheck.cannotReplace(file, sticky, other)).as("not sticky").isFalse();
    }

    /** Found by review: the link's target's owner was read, but a checkpoint's rename replaces the link. */
    @Test
    void aLinkOfAnotherUsersToTheUsersOwnFileInAStickyDirectoryCannotBeReplacedRegression() throws Exception {
        Path sticky = Files.createDirectory(dir.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        Path target = Files.writeString(dir.resolve("own.state"), "");
        Path link = Files.createSymbolicLink(sticky.resolve("link"), target);
        int linkOwner = (Integer) Files.getAttribute(link, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        int user = linkOwner == 65534 ? 65533 : 65534;
        Assumptions.assumeTrue(linkOwner == 0, "needs root to give the link's target to another user");
        Files.setAttribute(target, "unix:uid", user); // the user's own file, behind root's link
        assertThat(StateFileCheck.cannotReplace(link, sticky, user)).isTrue();
    }

    @Test
    void aNewOrExistingFileInAnExistingDirectoryAndNoFileAtAllPass() throws Exception {
        assertThat(StateFileCheck.problem(withStateFile(dir.resolve("new.state")))).isEmpty();
        Path existing = Files.writeString(dir.resolve("old.state"), "");
        assertThat(StateFileCheck.problem(withStateFile(existing))).isEmpty();
        assertThat(StateFileCheck.problem(withStateFile(null))).as("durability off").isEmpty();
    }
}
