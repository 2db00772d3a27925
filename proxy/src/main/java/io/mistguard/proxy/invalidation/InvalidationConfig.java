package io.mistguard.proxy.invalidation;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the session-invalidation queue, validated once at construction.
 *
 * <p>Immutable and therefore thread-safe.
 *
 * @param batchSize          most stream names sent to Mist in one {@code invalidate_sessions} call
 * @param maxPendingNames    most distinct names the queue holds (waiting or in flight); beyond it a
 *                           new name is rejected, a name already held still coalesces
 * @param initialBackoff     backoff ceiling after the first failed call; doubles per failure
 * @param maxBackoff         largest backoff ceiling; the actual delay is uniform in [0, ceiling)
 * @param pausedRecheck      how often a paused drainer asks the breaker again
 * @param checkpointInterval how often the held names are written to {@code stateFile} when changed
 * @param stateFile          where held names survive a restart; {@code null} disables durability
 * @param shutdownGrace      how long {@code shutdown()} keeps delivering before writing the rest
 */
public record InvalidationConfig(
        int batchSize,
        int maxPendingNames,
        Duration initialBackoff,
        Duration maxBackoff,
        Duration pausedRecheck,
        Duration checkpointInterval,
        Path stateFile,
        Duration shutdownGrace) {

    public InvalidationConfig {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize: " + batchSize + " (expected: > 0)");
        }
        if (maxPendingNames < 1) {
            throw new IllegalArgumentException("maxPendingNames: " + maxPendingNames + " (expected: > 0)");
        }
        requirePositive(initialBackoff, "initialBackoff");
        requirePositive(maxBackoff, "maxBackoff");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException(
                    "maxBackoff: " + maxBackoff + " (expected: >= initialBackoff " + initialBackoff + ")");
        }
        requirePositive(pausedRecheck, "pausedRecheck");
        requirePositive(checkpointInterval, "checkpointInterval");
        requireNonNull(shutdownGrace, "shutdownGrace");
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace: " + shutdownGrace + " (expected: >= 0)");
        }
        if (stateFile != null && stateFile.getFileName() == null) {
            throw new IllegalArgumentException("stateFile: " + stateFile + " (expected: a file path)");
        }
    }

    /** Defaults sized for catalyst-api's traffic: Mist answers an invalidation in milliseconds. */
    public static InvalidationConfig defaults(Path stateFile) {
        return new InvalidationConfig(50, 10_000, Duration.ofMillis(200), Duration.ofSeconds(30),
                Duration.ofSeconds(1), Duration.ofSeconds(5), stateFile, Duration.ofSeconds(5));
    }

    private static void requirePositive(Duration value, String name) {
        requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }
}
