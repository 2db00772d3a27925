package io.mistguard.proxy.invalidation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Reads and atomically replaces the file that carries held stream names across restarts.
 *
 * <p>A write goes to a fresh temporary file in the same directory, is forced to disk and then moved
 * over the state file with {@code ATOMIC_MOVE}, so a crash leaves either the old or the new content,
 * never a torn file. No names means no file. Thread-safe for concurrent writes (each uses its own
 * temporary file; the last move wins), but callers that care about order must serialise them.
 */
final class StateFile {

    private static final DateTimeFormatter SUFFIX_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path path;
    private final Clock wallClock;

    StateFile(Path path, Clock wallClock) {
        this.path = path.toAbsolutePath();
        this.wallClock = wallClock;
    }

    Path path() {
        return path;
    }

    /** Replaces the file with {@code names}, or deletes it when there are none. */
    void write(List<String> names) throws IOException {
        if (names.isEmpty()) {
            Files.deleteIfExists(path);
            return;
        }
        Path temp = writeTemporary(names);
        try {
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Writes {@code names}, in the state file's format, to a new {@code <file>.excess-<UTC timestamp>}
     * beside it (never replacing an earlier one) and returns its path: where replay keeps names it
     * could not queue.
     */
    Path keepAside(List<String> names) throws IOException {
        Path temp = writeTemporary(names);
        try {
            return moveToNewSibling(temp, "excess");
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** A fresh temporary file beside the state file holding {@code names}, forced to disk. */
    private Path writeTemporary(List<String> names) throws IOException {
        // A bare file name has no parent; the temporary file must still sit beside the state file,
        // or the atomic move could cross file systems.
        Path dir = path.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, path.getFileName() + ".", ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(StateFileFormat.render(names));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    /**
     * Reads the file; a missing file, or one of nothing but whitespace, is an empty state. A corrupt
     * file is moved aside to {@code <file>.corrupt-<UTC timestamp>} and the names that could be read
     * are returned with the problems, so that start-up goes on.
     *
     * @throws IOException when the file exists but cannot be read or moved (not a format problem)
     */
    Loaded load() throws IOException {
        StateFileFormat.Parsed parsed;
        try (InputStream in = Files.newInputStream(path)) {
            parsed = StateFileFormat.parse(in, path.toString());
        } catch (NoSuchFileException e) {
            return new Loaded(List.of(), List.of(), null, false);
        }
        if (parsed.problems().isEmpty()) {
            return new Loaded(parsed.names(), List.of(), null, true);
        }
        return new Loaded(parsed.names(), parsed.problems(), moveAside(), true);
    }

    private Path moveAside() throws IOException {
        return moveToNewSibling(path, "corrupt");
    }

    /** Moves {@code source} to {@code <file>.<kind>-<UTC timestamp>[-n]}, a name not taken yet. */
    private Path moveToNewSibling(Path source, String kind) throws IOException {
        String base = path.getFileName() + "." + kind + "-" + SUFFIX_TIME.format(wallClock.instant());
        for (int attempt = 0; ; attempt++) {
            Path target = path.resolveSibling(attempt == 0 ? base : base + "-" + attempt);
            try {
                // No ATOMIC_MOVE: on Linux it would silently replace an earlier copy.
                return Files.move(source, target);
            } catch (FileAlreadyExistsException e) {
                // Two within one second: keep both.
            }
        }
    }

    /**
     * What {@link #load()} found.
     *
     * @param names    names to replay, in file order
     * @param problems one message per bad line, each naming the file and line (the first 20, then one
     *                 counting the rest); empty if clean
     * @param movedTo  where a corrupt file was moved, or {@code null}
     * @param found    whether the file existed (an empty one holds no names but is not corrupt)
     */
    record Loaded(List<String> names, List<String> problems, Path movedTo, boolean found) {
    }
}
