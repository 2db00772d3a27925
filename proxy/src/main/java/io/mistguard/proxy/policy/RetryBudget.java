package io.mistguard.proxy.policy;

import io.mistguard.proxy.config.RetryConfig;
import io.mistguard.proxy.time.Ticker;

/**
 * Caps a route's retries at {@code minRetries + ratio * requests} over a sliding window, so that
 * during an outage retries add at most a fixed fraction of load instead of multiplying it
 * (the Finagle / gRPC retry-budget idea). A retry is charged when it is planned, before its
 * backoff: one that then never starts (the caller left, the deadline passed, the breaker opened)
 * stays charged, so the cap holds for the retries made, which are counted only when they start.
 *
 * <p>The window is a {@link SlidingCounts} of requests and retries on an injected {@link Ticker}.
 * Thread-safe and lock-free.
 */
public final class RetryBudget {

    private static final int REQUESTS = 0;
    private static final int RETRIES = 1;

    private final double ratio;
    private final int minRetries;
    private final SlidingCounts window;

    public RetryBudget(RetryConfig config, Ticker ticker) {
        this.ratio = config.budgetRatio();
        this.minRetries = config.budgetMinRetries();
        this.window = new SlidingCounts(config.budgetWindow(), 2, ticker);
    }

    /** Counts one request (a first attempt): it earns {@code ratio} retries for the window. */
    public void onRequest() {
        window.add(REQUESTS);
    }

    /** Takes one retry from the budget; false (and nothing taken) when the budget is spent. */
    public boolean tryRetry() {
        long[] counts = window.sums();
        if (counts[RETRIES] >= minRetries + (long) Math.floor(ratio * counts[REQUESTS])) {
            return false;
        }
        window.add(RETRIES);
        return true;
    }
}
