package io.mistguard.proxy.policy;

import io.mistguard.proxy.config.RetryConfig;
import io.mistguard.proxy.time.Ticker;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Caps a route's retries at {@code minRetries + ratio * requests} over a sliding window, so that
 * during an outage retries add at most a fixed fraction of load instead of multiplying it
 * (the Finagle / gRPC retry-budget idea). A retry is charged when it is planned, before its
 * backoff: one that then never starts (the caller left, the deadline passed, the breaker opened)
 * stays charged, so the cap holds for the retries made, which are counted only when they start.
 *
 * <p>The window is ten buckets on an injected {@link Ticker}. Lock-free: each bucket is three slots
 * of an {@link AtomicLongArray} (its epoch, requests, retries). A bucket is reset by whoever first
 * sees it stale; two threads crossing a bucket boundary at the same instant may each lose the
 * other's count, an error of a call or two that a budget can live with. Thread-safe.
 */
public final class RetryBudget {

    private static final int BUCKETS = 10;
    private static final int EPOCH = 0;
    private static final int REQUESTS = 1;
    private static final int RETRIES = 2;

    private final Ticker ticker;
    private final double ratio;
    private final int minRetries;
    private final long bucketNanos;
    private final AtomicLongArray slots = new AtomicLongArray(BUCKETS * 3);

    public RetryBudget(RetryConfig config, Ticker ticker) {
        this.ticker = ticker;
        this.ratio = config.budgetRatio();
        this.minRetries = config.budgetMinRetries();
        this.bucketNanos = Math.max(1, config.budgetWindow().toNanos() / BUCKETS);
        for (int i = 0; i < BUCKETS; i++) {
            slots.set(i * 3 + EPOCH, Long.MIN_VALUE);
        }
    }

    /** Counts one request (a first attempt): it earns {@code ratio} retries for the window. */
    public void onRequest() {
        slots.incrementAndGet(current() + REQUESTS);
    }

    /** Takes one retry from the budget; false (and nothing taken) when the budget is spent. */
    public boolean tryRetry() {
        long epoch = epoch();
        long requests = 0;
        long retries = 0;
        for (int i = 0; i < BUCKETS; i++) {
            int base = i * 3;
            long e = slots.get(base + EPOCH);
            if (e > epoch - BUCKETS && e <= epoch) {
                requests += slots.get(base + REQUESTS);
                retries += slots.get(base + RETRIES);
            }
        }
        if (retries >= minRetries + (long) Math.floor(ratio * requests)) {
            return false;
        }
        slots.incrementAndGet(current() + RETRIES);
        return true;
    }

    /** The index of the current bucket's first slot, resetting the bucket when it is stale. */
    private int current() {
        long epoch = epoch();
        int base = (int) Math.floorMod(epoch, (long) BUCKETS) * 3;
        long seen = slots.get(base + EPOCH);
        if (seen != epoch && slots.compareAndSet(base + EPOCH, seen, epoch)) {
            slots.set(base + REQUESTS, 0);
            slots.set(base + RETRIES, 0);
        }
        return base;
    }

    private long epoch() {
        return Math.floorDiv(ticker.nanoTime(), bucketNanos);
    }
}
