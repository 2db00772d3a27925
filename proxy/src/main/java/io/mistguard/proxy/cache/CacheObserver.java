package io.mistguard.proxy.cache;

import io.mistguard.proxy.exchange.Decision;
import java.time.Duration;

/**
 * Where a cached read route reports how it answered each of its callers — the starter of a shared
 * call (its decision), joiners ({@link Decision#COALESCED}), fresh hits ({@link Decision#CACHED}),
 * last-known-good answers ({@link Decision#STALE}) and callers whose own deadline or departure ended
 * their wait — so that per-route decision counts and answer latencies cover every answer once, each
 * timed from its own caller's arrival. The shared calls themselves, and background refreshes nobody
 * waits for, are not answers and are not counted.
 * Implementations are thread-safe and never block.
 */
@FunctionalInterface
public interface CacheObserver {

    /** Counts nothing. */
    CacheObserver NONE = (decision, waitedNanos, staleAge) -> { };

    /**
     * @param decision how the caller was answered; a decision a route gives ({@link Decision#perRoute()})
     * @param waitedNanos from the caller's arrival to its answer, on the cache's clock
     * @param staleAge the age of the answer when {@code decision} is {@code STALE}, else {@code null}
     */
    void answered(Decision decision, long waitedNanos, Duration staleAge);
}
