package io.mistguard.proxy.cache;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the read cache, shared by all routes (per-route decisions are counted by the policy
 * layer for the calls it makes). Thread-safe; read by {@link CacheSnapshot}.
 */
final class CacheStats {

    /** Replies kept in the store. */
    final LongAdder stored = new LongAdder();
    /** Replies too large for {@code cache.max_bytes} on their own, never kept. */
    final LongAdder tooLarge = new LongAdder();
    /** Entries dropped to stay within the bounds. */
    final LongAdder evicted = new LongAdder();
    /** Entries dropped because they had grown too old to be served. */
    final LongAdder expired = new LongAdder();
    /** Calls to Mist started for a cache key (one per coalesced group). */
    final LongAdder sharedCalls = new LongAdder();
    /** Callers that joined a call already in flight instead of starting one. */
    final LongAdder coalesced = new LongAdder();
    /** Callers answered from a reply within {@code fresh_for}. */
    final LongAdder fresh = new LongAdder();
    /** Callers answered stale because Mist failed. */
    final LongAdder stale = new LongAdder();
    /** Callers answered stale while a background call refreshed the entry. */
    final LongAdder revalidating = new LongAdder();
    /** Mist failed and no usable entry existed: the failure was answered. */
    final LongAdder staleMisses = new LongAdder();
}
