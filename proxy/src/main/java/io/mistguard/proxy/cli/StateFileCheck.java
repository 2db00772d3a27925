package io.mistguard.proxy.cli;

import io.mistguard.proxy.config.ProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether this process can keep {@code invalidations.state_file}: read it at start, and write it
 * at every checkpoint through a temporary file beside it and a rename. Found by review: a state file
 * that was a directory ended the start with a Java stack trace, and one in a directory that did not
 * exist started, logged a stack trace every checkpoint and lost its names at shutdown, exit 0; both
 * passed {@code check-config}. A start now refuses such a file (exit 2) with one line naming the key;
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
            if (!Files.isReadable(file) || !Files.isWritable(file)) {
                return Optional.of(key + " cannot be read and written by this process" + expected);
            }
        }
        Path directory = file.toAbsolutePath().getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            return Optional.of(key + ": its directory " + directory + " does not exist" + expected);
        }
        if (!Files.isWritable(directory)) {
            return Optional.of(key + ": its directory " + directory + " is not writable by this process" + expected);
        }
        return Optional.empty();
    }
}
