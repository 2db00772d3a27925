package io.mistguard.proxy.policy;

import java.time.Duration;

/**
 * One upstream attempt at Mist right now, as {@code /admin/inflight} lists it: route, attempt
 * number, when it started and when the request's budget ends (both on the forwarder's ticker).
 *
 * <p>Immutable; identity matters (two attempts with equal values are still two), so this is a class
 * with identity equality rather than a record.
 */
public final class InflightAttempt {

    private final String route;
    private final int attempt;
    private final long startedNanos;
    private final long deadlineNanos;

    InflightAttempt(String route, int attempt, long startedNanos, long deadlineNanos) {
        this.route = route;
        this.attempt = attempt;
        this.startedNanos = startedNanos;
        this.deadlineNanos = deadlineNanos;
    }

    public String route() {
        return route;
    }

    /** 1 for the first attempt of a request, 2 for its first retry, and so on. */
    public int attempt() {
        return attempt;
    }

    /** How long the attempt has been at Mist at {@code nowNanos}. */
    public Duration age(long nowNanos) {
        return Duration.ofNanos(Math.max(0, nowNanos - startedNanos));
    }

    /** Time left until the request's budget ends (negative once past it) at {@code nowNanos}. */
    public Duration untilDeadline(long nowNanos) {
        return Duration.ofNanos(deadlineNanos - nowNanos);
    }
}
