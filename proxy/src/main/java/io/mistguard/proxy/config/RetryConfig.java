package io.mistguard.proxy.config;

import java.time.Duration;

/**
 * How a route retries, and the budget that keeps retries from multiplying load in an outage.
 *
 * <p>Retries follow exponential backoff with full jitter (a random wait between 0 and
 * {@code min(backoffMax, backoffBase * 2^(n-1))}) and never start past the route's remaining
 * budget. Within each sliding {@code budgetWindow}, retries may not exceed
 * {@code budgetMinRetries + budgetRatio * requests}; a retry is charged when it is planned, also if
 * it then never starts.
 *
 * @param attempts total attempts including the first; 1 disables retries. For non-read routes it
 *                 only applies to attempts that provably never left mistguard (connect refused)
 * @param backoffBase the upper bound of the first backoff
 * @param backoffMax the cap on any backoff
 * @param budgetRatio retries allowed per request in the window, 0 to 1
 * @param budgetMinRetries retries always allowed per window, so a quiet route can still retry
 * @param budgetWindow the sliding window the budget counts over
 */
public record RetryConfig(int attempts, Duration backoffBase, Duration backoffMax, double budgetRatio,
                          int budgetMinRetries, Duration budgetWindow) {

    /** The most attempts a route may make. */
    public static final int MAX_ATTEMPTS = 10;

    public static final RetryConfig NONE = new RetryConfig(1, Duration.ofMillis(50), Duration.ofMillis(500), 0.1, 3,
                                                           Duration.ofSeconds(10));

    public RetryConfig {
        Require.inRange(attempts, 1, MAX_ATTEMPTS, "attempts");
        Require.positive(backoffBase, "backoffBase");
        Require.positive(backoffMax, "backoffMax");
        if (!(budgetRatio >= 0 && budgetRatio <= 1)) {
            throw new IllegalArgumentException("budgetRatio: " + budgetRatio + " (expected: from 0 to 1)");
        }
        Require.inRange(budgetMinRetries, 0, Integer.MAX_VALUE, "budgetMinRetries");
        Require.positive(budgetWindow, "budgetWindow");
    }

    /** Returns a copy with {@code attempts} attempts. */
    public RetryConfig withAttempts(int attempts) {
        return new RetryConfig(attempts, backoffBase, backoffMax, budgetRatio, budgetMinRetries, budgetWindow);
    }
}
