package io.mistguard.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * One route, with {@code route_defaults} already merged in: which requests it takes and every
 * policy that applies to them. {@code timeout} is the longest any caller of this route waits,
 * queueing and retries included; a caller's deadline header can only shorten it.
 *
 * @param name a unique name, used in logs and metrics
 * @param match which requests the route takes; the first matching route wins
 * @param kind what the requests do to Mist, which decides whether they may be retried
 * @param timeout the total budget per request: queueing, attempts and backoff together
 * @param perTryTimeout the budget of one upstream attempt, at most {@code timeout}
 * @param retry retries and their budget
 * @param breaker the name of a breaker in {@code breakers}, or {@code null} for none
 * @param admission the name of a pool in {@code admissions}, or {@code null} for none
 * @param rejection how mistguard answers when it turns a request away
 * @param callerTimeout the caller's own budget (catalyst's load balancer: 4.5s), or {@code null};
 *                      {@code timeout} must be shorter, so that mistguard always answers first
 * @param caching coalescing, {@code fresh_for} and last-known-good answers; anything but
 *                {@link ReadCaching#NONE} only on a {@code read} route
 */
public record RouteConfig(String name, RouteMatch match, RouteKind kind, Duration timeout, Duration perTryTimeout,
                          RetryConfig retry, String breaker, String admission, RejectionConfig rejection,
                          Duration callerTimeout, ReadCaching caching) {

    public RouteConfig {
        Require.notEmpty(name, "name");
        requireNonNull(match, "match");
        requireNonNull(kind, "kind");
        Require.positive(timeout, "timeout");
        Require.positive(perTryTimeout, "perTryTimeout");
        if (perTryTimeout.compareTo(timeout) > 0) {
            throw new IllegalArgumentException("perTryTimeout: " + Durations.format(perTryTimeout)
                                               + " (expected: <= timeout " + Durations.format(timeout) + ')');
        }
        requireNonNull(retry, "retry");
        requireNonNull(rejection, "rejection");
        if (callerTimeout != null && callerTimeout.compareTo(timeout) <= 0) {
            throw new IllegalArgumentException("callerTimeout: " + Durations.format(callerTimeout)
                                               + " (expected: > timeout " + Durations.format(timeout) + ')');
        }
        requireNonNull(caching, "caching");
        if (kind != RouteKind.READ && caching.enabled()) {
            throw new IllegalArgumentException("caching: " + caching + " (expected: only on a read route)");
        }
    }

    /**
     * A route with the given stale and fresh windows: a read route coalesces, the others do nothing
     * from the cache. {@code null} means off.
     */
    public RouteConfig(String name, RouteMatch match, RouteKind kind, Duration timeout, Duration perTryTimeout,
                       RetryConfig retry, String breaker, String admission, RejectionConfig rejection,
                       Duration callerTimeout, Duration staleMaxAge, Duration freshFor) {
        this(name, match, kind, timeout, perTryTimeout, retry, breaker, admission, rejection, callerTimeout,
             kind != RouteKind.READ ? ReadCaching.NONE
                     : new ReadCaching(staleMaxAge, Duration.ZERO, freshFor == null ? Duration.ZERO : freshFor, true));
    }

    /** The oldest last-known-good answer served when Mist fails, or {@code null} for never. */
    public Duration staleMaxAge() {
        return caching.staleMaxAge();
    }

    /** How long an answer is reused without asking Mist; zero when off. */
    public Duration freshFor() {
        return caching.freshFor();
    }

    /** A route with no retries, no caller budget and nothing reserved: the common case in code. */
    public static RouteConfig of(String name, RouteMatch match, RouteKind kind, Duration timeout, Duration perTry,
                                 String breaker, String admission) {
        return new RouteConfig(name, match, kind, timeout, perTry, RetryConfig.NONE, breaker, admission,
                               RejectionConfig.DEFAULTS, null, kind == RouteKind.READ ? ReadCaching.COALESCE
                                                                                      : ReadCaching.NONE);
    }
}
