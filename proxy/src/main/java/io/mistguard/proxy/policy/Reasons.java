package io.mistguard.proxy.policy;

import io.mistguard.proxy.upstream.UpstreamFailure;
import java.util.ArrayList;
import java.util.List;

/**
 * The reasons a policy decision names, in the {@code Mistguard-Decision} header, the body of
 * mistguard's own answers and the per-route counters; upstream failures add their own
 * ({@link UpstreamFailure#reason()}).
 */
public final class Reasons {

    /** Mist answered; passed through. */
    public static final String PROXIED = "proxied";
    /** The route's own budget ran out: counted against Mist. */
    public static final String TIMEOUT = UpstreamFailure.TIMEOUT.reason();
    /**
     * The caller's own deadline ({@code Mistguard-Timeout-Ms}, {@code x-envoy-expected-rq-timeout-ms}),
     * shorter than the route's budget, ran out first. The caller chose it, so it says nothing about
     * Mist and is never recorded by a breaker.
     */
    public static final String CALLER_DEADLINE = io.mistguard.proxy.exchange.Decisions.CALLER_DEADLINE;
    /** The route's breaker is open, or its half-open trials are all out. */
    public static final String BREAKER_OPEN = "breaker-open";
    /** The admission queue was full. */
    public static final String OVERLOAD = "overload";
    /** No admission slot within the queue timeout. */
    public static final String QUEUE_TIMEOUT = "queue-timeout";
    /** The caller went away first. */
    public static final String CANCELLED = UpstreamFailure.CANCELLED.reason();
    /** A read that joined an identical one in flight and got its answer (cache/). */
    public static final String COALESCED = "coalesced";
    /** A read answered from a reply within the route's {@code fresh_for} (cache/). */
    public static final String CACHED = "cached";
    /** A read answered with a last-known-good reply because Mist failed (cache/). */
    public static final String STALE = "stale";

    /** Every reason a route can count, for counters registered up front. */
    static final List<String> ALL;

    static {
        List<String> all = new ArrayList<>(List.of(PROXIED, COALESCED, CACHED, STALE, BREAKER_OPEN, OVERLOAD,
                                                   QUEUE_TIMEOUT, CALLER_DEADLINE));
        for (UpstreamFailure failure : UpstreamFailure.values()) {
            all.add(failure.reason());
        }
        ALL = List.copyOf(all);
    }

    private Reasons() {}
}
