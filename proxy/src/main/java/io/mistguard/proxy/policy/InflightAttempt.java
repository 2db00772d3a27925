package io.mistguard.proxy.policy;

import java.time.Duration;

/**
 * One upstream attempt at Mist right now, as {@code /admin/inflight} lists it: route, attempt
 * number, when it started and when the request's budget ends (both on the forwarder's ticker).
 *
 * <p>Its values are immutable; identity matters (two attempts with equal values are still two), so
 * this is a class with identity equality rather than a record. Where {@link Inflight} keeps it is
 * written and read only by the thread that added it.
 */
public final class InflightAttempt {

    private final String route;
    private final int attempt;
    private final long startedNanos;
    private final long deadlineNanos;
    /** The register holding it while in flight, and its slot there; only {@link Inflight}'s owning thread uses them. */
    Inflight.Register register;
    int slot;

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
        return Duration.ofNanos(ageNanos(nowNanos));
    }

    /** {@link #age} in nanoseconds, ≥ 0, without a {@code Duration} (once per attempt on the request path). */
    long ageNanos(long nowNanos) {
        return Math.max(0, nowNanos - startedNanos);
    }

    /** Time left until the request's budget ends (negative once past it) at {@code nowNanos}. */
    public Duration untilDeadline(long nowNanos) {
        return Duration.ofNanos(deadlineNanos - nowNanos);
    }
}
