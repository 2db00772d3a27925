package io.mistguard.proxy.policy;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
 * the wait before retry {@code n} is uniform in {@code [0, min(max, base * 2^(n-1))]}, which spreads
 * retries of many callers instead of bunching them. Stateless.
 */
final class Backoff {

    private Backoff() {}

    /**
     * @param retry 1 for the first retry
     * @param random a uniform value in {@code [0, 1)}
     */
    static long nanos(Duration base, Duration max, int retry, DoubleSupplier random) {
        long cap = max.toNanos();
        long ceiling = base.toNanos();
        for (int i = 1; i < retry && ceiling < cap; i++) {
            ceiling *= 2;
        }
        return (long) (random.getAsDouble() * Math.min(ceiling, cap));
    }
}
