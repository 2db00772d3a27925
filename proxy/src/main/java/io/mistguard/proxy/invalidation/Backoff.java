package io.mistguard.proxy.invalidation;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: after the n-th consecutive failure the delay is uniform in
 * {@code [0, min(max, initial * 2^(n-1)))}. Full jitter spreads retries of many proxies apart after a
 * shared Mist outage instead of having them return in lock-step.
 *
 * <p>Thread-safe if the jitter source is; the drainer calls it from one thread at a time anyway.
 */
final class Backoff {

    private final long initialNanos;
    private final long maxNanos;
    private final DoubleSupplier jitter;

    /** @param jitter uniform in [0, 1), e.g. {@code ThreadLocalRandom.current()::nextDouble} */
    Backoff(Duration initial, Duration max, DoubleSupplier jitter) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.jitter = jitter;
    }

    /** The delay before the next call after {@code failures} (>= 1) consecutive failed calls. */
    long delayNanos(int failures) {
        return (long) (ceilingNanos(failures) * clamp(jitter.getAsDouble()));
    }

    /** The upper bound of {@link #delayNanos}; exposed for tests and logs. */
    long ceilingNanos(int failures) {
        int doublings = Math.max(0, failures - 1);
        // Stop doubling before the shift overflows; by then the cap has long been reached.
        if (doublings >= Long.numberOfLeadingZeros(initialNanos) - 1) {
            return maxNanos;
        }
        return Math.min(maxNanos, initialNanos << doublings);
    }

    private static double clamp(double sample) {
        return sample < 0 ? 0 : Math.min(sample, 1);
    }
}
