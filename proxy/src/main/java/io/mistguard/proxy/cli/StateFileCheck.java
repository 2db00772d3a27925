package io.mistguard.proxy.cli;

import io.mistguard.proxy.config.ProxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether this process can keep {@code invalidations.state_file}: read it at start, and write it
 * at every checkpoint through a temporary file beside it and a rename. Found by review: a state file
 * that was a directory ended the start with a Java stack trace, and one in a directory that did not
 * exist started, logged a stack trace every checkpoint and lost its names at shutdown, exit 0; both
 * passed {@code check-config}, as did one this process could write but not replace (another user's,
 * in a sticky directory such as {@code /tmp}). A start now refuses such a file (exit 2) with one line naming the key;
 * {@code check-config} prints the same line as a note, since the directory is the running host's or
 * container's, not necessarily the one it runs on. Reads the file system; stateless.
 */
final class StateFileCheck {

    private StateFileCheck() {
    }

    /** What keeps this process from using the state file of {@code config}, or empty (also when durability is off). */
    static Optional<String> problem(ProxyConfig config) {
        Path file = config.invalidations().stateFile();
        if (file == null) {
            return Optional.empty();
        }
        String key = "invalidations.state_file: " + file;
        String expected = " (expected: a file in a directory mistguard can write, or \"\" for none)";
        if (Files.isDirectory(file)) {
            return Optional.of(key + " is a directory" + expected);
        }
        if (Files.exists(file)) {
            if (!Files.isRegularFile(file)) {
                return Optional.of(key + " is not a regular file (a device, a pipe or a socket)" + expected);
            }
            if (!Files.isReadable(file)) { // a checkpoint replaces it by a rename: only reading it needs its mode
                return Optional.of(key + " cannot be read by this process" + expected);
            }
        }
        Path directory = file.toAbsolutePath().getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            return Optional.of(key + ": its directory " + directory + " does not exist" + expected);
        }
        if (!Files.isWritable(directory)) {
            return Optional.of(key + ": its directory " + directory + " is not writable by this process" + expected);
        }
        if (Files.exists(file) && cannotReplace(file, directory, processUid())) {
            // Found by review: 0666 in /tmp, owned by another user: every checkpoint's rename failed.
            return Optional.of(key + " belongs to another user, in a directory that only lets a file's owner "
                               + "replace it (the sticky bit, as on /tmp), and every checkpoint replaces it" + expected);
        }
        try { // what a checkpoint does first: a new file beside it (a read-only mount, an ACL)
            Files.delete(Files.createTempFile(directory, ".mistguard-check-", ".tmp"));
        } catch (IOException | RuntimeException e) {
            return Optional.of(key + ": this process cannot create a file in its directory " + directory + " ("
                               + e.getClass().getSimpleName() + ')' + expected);
        }
        return Optional.empty();
    }

    /** This process's user id (the owner of {@code /proc/self}), or -1 where it cannot be read. */
    private static int processUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Whether a rename over {@code file} will fail for user {@code self}: {@code directory} has the
     * sticky bit, and neither it nor the file is {@code self}'s (nor is {@code self} root). False
     * where the owners cannot be read ({@code self} -1, or no {@code unix:} attributes).
     */
    static boolean cannotReplace(Path file, Path directory, int self) {
        if (self < 0) {
            return false;
        }
        try {
            int mode = (Integer) Files.getAttribute(directory, "unix:mode");
            boolean sticky = (mode & STICKY) != 0;
            // The rename replaces a symbolic link itself, so the link's owner counts, not its target's
            // (found by review: a root-owned link to the user's own file passed).
            return sticky && self != 0 && self != (Integer) Files.getAttribute(directory, "unix:uid")
                   && self != (Integer) Files.getAttribute(file, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The sticky bit of a directory's mode ({@code S_ISVTX}). */
    private static final int STICKY = 01000;
}
