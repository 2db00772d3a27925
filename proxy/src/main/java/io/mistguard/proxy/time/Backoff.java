package io.mistguard.proxy.time;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"): the
 * n-th wait in a row is uniform in {@code [0, min(max, base * 2^(n-1))]}, which spreads the retries of
 * many callers (and of many proxies after a shared Mist outage) instead of bunching them. The one
 * formula for a route's retries and for the invalidation drainer.
 *
 * <p>Exact at any {@code n}: the ceiling is found without forming {@code base * 2^(n-1)} when that
 * would not fit in a {@code long}, so a long run of failures can never wrap it to a negative or zero
 * delay. The jitter source is injected so that tests can pin it.
 *
 * <p>Immutable; thread-safe if the jitter source is.
 */
public final class Backoff {

    private final long baseNanos;
    private final long maxNanos;
    private final DoubleSupplier jitter;

    /**
     * @param base the ceiling of the first wait; positive
     * @param max the largest ceiling; positive (below {@code base}, every ceiling is {@code max})
     * @param jitter uniform samples in {@code [0, 1)}, e.g. {@code ThreadLocalRandom.current()::nextDouble};
     *               samples outside {@code [0, 1]} are clamped into it
     */
    public Backoff(Duration base, Duration max, DoubleSupplier jitter) {
        this.baseNanos = positiveNanos(base, "base");
        this.maxNanos = positiveNanos(max, "max");
        this.jitter = requireNonNull(jitter, "jitter");
    }

    /** The wait before the next try after {@code n} failures in a row ({@code n >= 1}; less counts as 1). */
    public long delayNanos(int n) {
        return jittered(ceilingNanos(baseNanos, maxNanos, n), jitter);
    }

    /** The upper bound of {@link #delayNanos}. */
    public long ceilingNanos(int n) {
        return ceilingNanos(baseNanos, maxNanos, n);
    }

    /** The wait before retry {@code n} (1 for the first), without keeping a {@code Backoff} around. */
    public static long nanos(Duration base, Duration max, int n, DoubleSupplier jitter) {
        return jittered(ceilingNanos(base, max, n), requireNonNull(jitter, "jitter"));
    }

    /** {@code min(max, base * 2^(n-1))}: the longest the {@code n}-th wait can be. */
    public static long ceilingNanos(Duration base, Duration max, int n) {
        return ceilingNanos(positiveNanos(base, "base"), positiveNanos(max, "max"), n);
    }

    private static long ceilingNanos(long base, long max, int n) {
        int doublings = Math.max(0, n - 1);
        // base * 2^doublings > max exactly when base > max >> doublings, which never overflows. A shift
        // by 64 or more would wrap around in Java (x << 64 == x), hence the first test.
        if (doublings >= Long.SIZE - 1 || base > max >> doublings) {
            return max;
        }
        return base << doublings; // <= max, so it fits
    }

    private static long jittered(long ceiling, DoubleSupplier jitter) {
        double sample = jitter.getAsDouble();
        return (long) (ceiling * (sample < 0 ? 0 : Math.min(sample, 1)));
    }

    private static long positiveNanos(Duration value, String name) {
        requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
        return value.toNanos();
    }
}
