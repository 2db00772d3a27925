package io.mistguard.proxy.cache;

/**
 * A point-in-time copy of the read cache's counters and size, for the admin listener, metrics and
 * tests. Immutable.
 *
 * @param entries replies held now
 * @param bytes what they weigh against {@code cache.max_bytes}
 * @param stored replies kept so far
 * @param tooLarge replies never kept because one alone exceeds {@code cache.max_bytes}
 * @param evicted entries dropped to stay within the bounds
 * @param expired entries dropped for age
 * @param sharedCalls calls to Mist made for a cache key
 * @param coalesced callers that shared a call already in flight
 * @param fresh callers answered within {@code fresh_for}
 * @param stale callers answered stale because Mist failed
 * @param revalidating callers answered stale while a background call refreshed
 * @param staleMisses failures with no usable entry, answered as failures
 */
public record CacheSnapshot(int entries, long bytes, long stored, long tooLarge, long evicted, long expired,
                            long sharedCalls, long coalesced, long fresh, long stale, long revalidating,
                            long staleMisses) {

    static CacheSnapshot of(LastKnownGood store, CacheStats s) {
        return new CacheSnapshot(store.size(), store.bytes(), s.stored.sum(), s.tooLarge.sum(), s.evicted.sum(),
                                 s.expired.sum(), s.sharedCalls.sum(), s.coalesced.sum(), s.fresh.sum(),
                                 s.stale.sum(), s.revalidating.sum(), s.staleMisses.sum());
    }
}
