package io.mistguard.proxy.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code invalidations:} section: how {@code invalidate_sessions} commands are queued and
 * delivered to Mist (design.md, "Session invalidations"). The invalidation queue takes this record
 * as it is, so these defaults are the running ones, and {@code deploy/mistguard.yaml} states them.
 * Immutable.
 *
 * @param batchSize          most stream names sent in one call to Mist
 * @param maxPendingNames    most distinct names held; beyond it a new name gets 503
 * @param callTimeout        one call to Mist; on expiry its connection is closed and the call fails
 * @param initialBackoff     backoff ceiling after the first failed call; doubles per failure
 * @param maxBackoff         largest backoff ceiling (the delay is uniform below it)
 * @param pausedRecheck      how often a drainer paused by the open breaker asks again
 * @param checkpointInterval how often held names are written to {@code stateFile} (the kill -9 window)
 * @param stateFile          where held names survive a restart, relative to the working directory when
 *                           the queue starts; {@code null} disables durability
 * @param shutdownGrace      how long delivery continues on shutdown before the rest is written out
 */
public record InvalidationsConfig(int batchSize, int maxPendingNames, Duration callTimeout,
                                  Duration initialBackoff, Duration maxBackoff, Duration pausedRecheck,
                                  Duration checkpointInterval, Path stateFile, Duration shutdownGrace) {

    /** The bound on {@code batch_size}: a batch is one form body, which must stay far below max_body_bytes. */
    public static final int MAX_BATCH_SIZE = 1000;

    private static final InvalidationsConfig DEFAULTS = new InvalidationsConfig(50, 10_000, Duration.ofSeconds(2),
            Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(1),
            Path.of("mistguard-invalidations.state"), Duration.ofSeconds(5));

    public InvalidationsConfig {
        Require.inRange(batchSize, 1, MAX_BATCH_SIZE, "batchSize");
        Require.inRange(maxPendingNames, 1, Integer.MAX_VALUE, "maxPendingNames");
        Require.positive(callTimeout, "callTimeout");
        Require.positive(initialBackoff, "initialBackoff");
        Require.positive(maxBackoff, "maxBackoff");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff: " + Durations.format(maxBackoff)
                    + " (expected: >= initialBackoff " + Durations.format(initialBackoff) + ')');
        }
        Require.positive(pausedRecheck, "pausedRecheck");
        Require.positive(checkpointInterval, "checkpointInterval");
        Require.notNegative(shutdownGrace, "shutdownGrace");
        if (stateFile != null && stateFile.getFileName() == null) {
            throw new IllegalArgumentException("stateFile: " + stateFile + " (expected: a file path)");
        }
    }

    /** Batches of 50, 10000 names, 2s per call, backoff 200ms..5s, checkpoint every 1s, 5s grace. */
    public static InvalidationsConfig defaults() {
        return DEFAULTS;
    }

    /** Returns a copy that keeps its state in {@code file} ({@code null}: no state file). */
    public InvalidationsConfig withStateFile(Path file) {
        return new InvalidationsConfig(batchSize, maxPendingNames, callTimeout, initialBackoff, maxBackoff,
                pausedRecheck, checkpointInterval, file, shutdownGrace);
    }
}
