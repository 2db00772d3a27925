package io.mistguard.proxy.config;

import java.time.Duration;

/**
 * How a {@code read} route may answer without a fresh call to Mist of its own (design.md,
 * "Routes and policies"). Immutable.
 *
 * @param staleMaxAge the oldest last-known-good answer served when Mist fails ({@code stale.max_age}),
 *                    or {@code null}: never served stale
 * @param whileRevalidate past {@code freshFor}, an entry this much older is answered at once while one
 *                        background call refreshes it ({@code stale.while_revalidate}); zero = off
 * @param freshFor an answer this young is reused without asking Mist ({@code fresh_for}); zero = off
 * @param coalesce identical requests in flight at once share one call to Mist ({@code coalesce})
 */
public record ReadCaching(Duration staleMaxAge, Duration whileRevalidate, Duration freshFor, boolean coalesce) {

    /** Nothing: every request makes its own call (write, queued and passthrough routes). */
    public static final ReadCaching NONE = new ReadCaching(null, Duration.ZERO, Duration.ZERO, false);
    /** A read route's default: coalescing only. */
    public static final ReadCaching COALESCE = new ReadCaching(null, Duration.ZERO, Duration.ZERO, true);

    public ReadCaching {
        if (staleMaxAge != null) {
            Require.positive(staleMaxAge, "staleMaxAge");
        }
        Require.notNegative(whileRevalidate, "whileRevalidate");
        Require.notNegative(freshFor, "freshFor");
        if (!whileRevalidate.isZero() && staleMaxAge == null) {
            throw new IllegalArgumentException("whileRevalidate: " + Durations.format(whileRevalidate)
                                               + " (expected: 0s without staleMaxAge)");
        }
        if (staleMaxAge != null && freshFor.plus(whileRevalidate).compareTo(staleMaxAge) > 0) {
            throw new IllegalArgumentException("freshFor + whileRevalidate: " + Durations.format(freshFor.plus(
                    whileRevalidate)) + " (expected: <= staleMaxAge " + Durations.format(staleMaxAge) + ')');
        }
    }

    /** True when answers of this route are kept in the last-known-good store. */
    public boolean stores() {
        return staleMaxAge != null || !freshFor.isZero();
    }

    /** True when anything here changes how requests are answered. */
    public boolean enabled() {
        return coalesce || stores();
    }

    /** The oldest an entry of this route may be and still be served for any purpose. */
    public Duration maxServedAge() {
        return staleMaxAge != null ? staleMaxAge : freshFor;
    }
}
