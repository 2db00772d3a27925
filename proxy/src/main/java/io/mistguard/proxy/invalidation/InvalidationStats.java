package io.mistguard.proxy.invalidation;

import java.time.Duration;

/**
 * A point-in-time view of the invalidation queue for {@code /admin/invalidations} and metrics.
 *
 * <p>Immutable. The gauges come from one pass over the held names and the counters are read one by
 * one, so under load they are mutually consistent only approximately.
 *
 * @param depth              distinct names waiting for a call (including ones re-requested in flight)
 * @param oldestPendingAge   age of the oldest accepted request not yet delivered (waiting or in
 *                           flight); {@link Duration#ZERO} when none
 * @param inFlight           names in the call currently outstanding
 * @param accepted           offers accepted: queued + coalesced + requeued
 * @param coalesced          offers for a name that was already waiting
 * @param requeued           offers for a name in flight, to be sent once more afterwards
 * @param rejected           offers refused (full, invalid or shutting down)
 * @param sent               names in calls that succeeded
 * @param calls              calls started
 * @param failed             calls that failed
 * @param retried            names returned to the queue by failed calls
 * @param checkpointsWritten state-file writes (periodic and final)
 */
public record InvalidationStats(
        int depth,
        Duration oldestPendingAge,
        int inFlight,
        long accepted,
        long coalesced,
        long requeued,
        long rejected,
        long sent,
        long calls,
        long failed,
        long retried,
        long checkpointsWritten) {
}
