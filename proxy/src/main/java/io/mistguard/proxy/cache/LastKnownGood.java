package io.mistguard.proxy.cache;

import io.mistguard.proxy.config.CacheConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last good reply per cache key, bounded by total bytes and entry count, least recently used
 * evicted first.
 *
 * <p>Lock-free: a {@link ConcurrentHashMap} of entries, each stamped with a use counter. A store
 * first <em>reserves</em> its weight and its entry with compare-and-set on the two totals, evicting
 * the least recently used entry (a scan of at most {@code max_entries}) while the reservation would
 * not fit; so the bounds hold at every instant, even with every event loop storing at once. The
 * scan is O(entries), but it runs only when the store is full, once per stored Mist reply, never
 * per request; lookups are one map read and one counter write. A striped lock would also do, but
 * then a request could wait on another loop's eviction scan. Thread-safe.
 */
final class LastKnownGood {

    private final long maxBytes;
    private final int maxEntries;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong clock = new AtomicLong();
    private final CacheStats stats;

    LastKnownGood(CacheConfig config, CacheStats stats) {
        this.maxBytes = config.maxBytes();
        this.maxEntries = config.maxEntries();
        this.stats = stats;
    }

    /** One stored reply and when it was last used; {@code weight} is fixed at creation. */
    private static final class Entry {
        final StoredReply reply;
        final long weight;
        volatile long lastUsed;

        Entry(StoredReply reply, long weight, long lastUsed) {
            this.reply = reply;
            this.weight = weight;
            this.lastUsed = lastUsed;
        }
    }

    /** Keeps {@code reply} under {@code key}, replacing what was there; false when it alone is too big. */
    boolean put(String key, StoredReply reply) {
        long weight = reply.weight(key);
        if (weight > maxBytes) {
            stats.tooLarge.increment();
            return false;
        }
        while (!reserve(weight)) {
            if (!evictOne()) {
                return false; // emptied by others meanwhile yet still no room: give up, never block
            }
        }
        Entry previous = entries.put(key, new Entry(reply, weight, clock.incrementAndGet()));
        if (previous != null) {
            unreserve(previous.weight);
        }
        stats.stored.increment();
        return true;
    }

    /** The reply under {@code key} if it is at most {@code maxAgeNanos} old at {@code now}, else null. */
    StoredReply get(String key, long now, long maxAgeNanos) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (entry.reply.ageNanos(now) > maxAgeNanos) {
            return null; // kept: a route with a longer window (none shares keys today) or the LRU drops it
        }
        entry.lastUsed = clock.incrementAndGet();
        return entry.reply;
    }

    /** Drops the entry under {@code key} if it is older than {@code maxAgeNanos}: it can never be served. */
    void expire(String key, long now, long maxAgeNanos) {
        Entry entry = entries.get(key);
        if (entry != null && entry.reply.ageNanos(now) > maxAgeNanos && entries.remove(key, entry)) {
            unreserve(entry.weight);
            stats.expired.increment();
        }
    }

    long bytes() {
        return bytes.get();
    }

    int size() {
        return count.get();
    }

    private boolean reserve(long weight) {
        while (true) {
            int n = count.get();
            if (n >= maxEntries) {
                return false;
            }
            if (count.compareAndSet(n, n + 1)) {
                break;
            }
        }
        while (true) {
            long b = bytes.get();
            if (b + weight > maxBytes) {
                count.decrementAndGet();
                return false;
            }
            if (bytes.compareAndSet(b, b + weight)) {
                return true;
            }
        }
    }

    private void unreserve(long weight) {
        bytes.addAndGet(-weight);
        count.decrementAndGet();
    }

    /** Removes the least recently used entry; false when there was none to remove. */
    private boolean evictOne() {
        String victim = null;
        Entry oldest = null;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (oldest == null || e.getValue().lastUsed < oldest.lastUsed) {
                victim = e.getKey();
                oldest = e.getValue();
            }
        }
        if (oldest == null) {
            return count.get() > 0 || bytes.get() > 0; // reservations of stores in progress: retry
        }
        if (entries.remove(victim, oldest)) {
            unreserve(oldest.weight);
            stats.evicted.increment();
        }
        return true;
    }
}
