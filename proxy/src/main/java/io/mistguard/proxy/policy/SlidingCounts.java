package io.mistguard.proxy.policy;

import io.mistguard.proxy.time.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts of a few kinds of events over a sliding time window: ten buckets on an injected
 * {@link Ticker}, summed when read, so a reading covers the last {@code window} (to a tenth of it)
 * whether or not anything was counted lately. Used by the retry budget (requests, retries) and by a
 * breaker's report of its time window (successes, failures).
 *
 * <p>Lock-free: each bucket is {@code 1 + kinds} slots of an {@link AtomicLongArray} (its epoch, then
 * one count per kind). A bucket is reset by whoever first sees it stale; two threads crossing a
 * bucket boundary at the same instant may each lose the other's count, an error of an event or two
 * that a budget or a report can live with. Thread-safe.
 */
final class SlidingCounts {

    private static final int BUCKETS = 10;

    private final Ticker ticker;
    private final int kinds;
    private final int stride;
    private final long bucketNanos;
    private final AtomicLongArray slots;

    /**
     * @param window how far back a reading reaches, > 0 (a tenth of it is the granularity)
     * @param kinds how many kinds of events are counted, 1 or more (kinds are {@code 0 .. kinds-1})
     */
    SlidingCounts(Duration window, int kinds, Ticker ticker) {
        if (kinds < 1) {
            throw new IllegalArgumentException("kinds: " + kinds + " (expected: >= 1)");
        }
        this.ticker = ticker;
        this.kinds = kinds;
        this.stride = 1 + kinds;
        this.bucketNanos = Math.max(1, window.toNanos() / BUCKETS);
        this.slots = new AtomicLongArray(BUCKETS * stride);
        for (int i = 0; i < BUCKETS; i++) {
            slots.set(i * stride, Long.MIN_VALUE);
        }
    }

    /** Counts one event of {@code kind} now. */
    void add(int kind) {
        slots.incrementAndGet(current() + 1 + kind);
    }

    /** The counts of each kind within the window ending now, indexed by kind; a new array. */
    long[] sums() {
        long epoch = epoch();
        long[] sums = new long[kinds];
        for (int i = 0; i < BUCKETS; i++) {
            int base = i * stride;
            long e = slots.get(base);
            if (e > epoch - BUCKETS && e <= epoch) {
                for (int k = 0; k < kinds; k++) {
                    sums[k] += slots.get(base + 1 + k);
                }
            }
        }
        return sums;
    }

    /** Forgets everything counted so far. */
    void clear() {
        for (int i = 0; i < BUCKETS; i++) {
            slots.set(i * stride, Long.MIN_VALUE);
        }
    }

    /** The index of the current bucket's first slot, resetting the bucket when it is stale. */
    private int current() {
        long epoch = epoch();
        int base = (int) Math.floorMod(epoch, (long) BUCKETS) * stride;
        long seen = slots.get(base);
        if (seen != epoch && slots.compareAndSet(base, seen, epoch)) {
            for (int k = 0; k < kinds; k++) {
                slots.set(base + 1 + k, 0);
            }
        }
        return base;
    }

    private long epoch() {
        return Math.floorDiv(ticker.nanoTime(), bucketNanos);
    }
}
