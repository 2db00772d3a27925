package io.mistguard.proxy.config.yaml;

import io.mistguard.proxy.config.Durations;
import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.config.Quotes;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Binds the {@code invalidations:} section to an {@link InvalidationsConfig}, reporting bad values
 * (and {@code max_backoff} below {@code initial_backoff}) at their position in the file.
 *
 * <p>Stateless; its own class so that {@link ProxyConfigBinder} gains one line per section.
 */
final class InvalidationsBinder {

    private InvalidationsBinder() {}

    static InvalidationsConfig bind(ConfigMapping m) {
        InvalidationsConfig d = InvalidationsConfig.defaults();
        int batchSize = m.integer("batch_size", d.batchSize(), 1, InvalidationsConfig.MAX_BATCH_SIZE);
        int maxPending = m.integer("max_pending_names", d.maxPendingNames(), 1, Integer.MAX_VALUE);
        Duration callTimeout = m.duration("call_timeout", d.callTimeout(), false);
        Duration initialBackoff = m.duration("initial_backoff", d.initialBackoff(), false);
        Duration maxBackoff = m.duration("max_backoff", d.maxBackoff(), false);
        Duration pausedRecheck = m.duration("paused_recheck", d.pausedRecheck(), false);
        Duration checkpoint = m.duration("checkpoint_interval", d.checkpointInterval(), false);
        Path stateFile = stateFile(m, d.stateFile());
        Duration grace = m.duration("shutdown_grace", d.shutdownGrace(), true);
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            m.problemAt("max_backoff", Durations.format(maxBackoff) + " is shorter than initial_backoff ("
                    + Durations.format(initialBackoff) + ") (expected: >= initial_backoff)");
            maxBackoff = initialBackoff; // stands in so that binding goes on and reports the rest
        }
        return new InvalidationsConfig(batchSize, maxPending, callTimeout, initialBackoff, maxBackoff,
                pausedRecheck, checkpoint, stateFile, grace);
    }

    /** An empty string turns durability off; anything else is a path, relative to the working directory. */
    private static Path stateFile(ConfigMapping m, Path defaultValue) {
        return m.value("state_file")
                .flatMap(v -> v.scalar("a file path", "a file path, or \"\" for none", InvalidationsBinder::path))
                .orElse(Optional.ofNullable(defaultValue))
                .orElse(null);
    }

    private static Optional<Path> path(String text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            Path path = Path.of(text);
            if (path.getFileName() != null && !text.endsWith("/")) {
                return Optional.of(path);
            }
        } catch (InvalidPathException e) {
            // same answer as a directory
        }
        throw new IllegalArgumentException(Quotes.quote(text) + " is not a file path (expected: a file such as "
                + "mistguard-invalidations.state, or \"\" for none)");
    }
}
