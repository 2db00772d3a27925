package io.mistguard.proxy.cache;

import java.time.Duration;

/**
 * Where a cached read route reports the answers it gave callers itself — joiners of a shared call
 * ({@code coalesced}), fresh hits ({@code cached}), last-known-good answers ({@code stale}) and callers
 * whose own deadline or departure ended their wait — so that per-route decision counts cover every
 * answer. The shared call's own answer to the caller that started it is counted by the policy
 * engine, not here. Implementations are thread-safe and never block.
 */
@FunctionalInterface
public interface CacheObserver {

    /** Counts nothing. */
    CacheObserver NONE = (decision, staleAge) -> { };

    /**
     * @param decision the decision token: {@code coalesced}, {@code cached}, {@code stale}, or a
     *                 rejection reason such as {@code timeout}
     * @param staleAge the age of the answer when {@code decision} is {@code stale}, else {@code null}
     */
    void answered(String decision, Duration staleAge);
}
