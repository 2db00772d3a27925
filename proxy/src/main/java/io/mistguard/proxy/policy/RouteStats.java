package io.mistguard.proxy.policy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A route's counters: decisions by reason, retries, budget exhaustion, attempts cut by a deadline,
 * late responses and attempts in flight. Written from every event loop with {@link LongAdder}s
 * (no locks); read as a {@link RouteStatsSnapshot}. Thread-safe.
 */
final class RouteStats {

    private final String route;
    private final Map<String, LongAdder> decisions = new ConcurrentHashMap<>();
    final LongAdder retries = new LongAdder();
    final LongAdder retryBudgetExhausted = new LongAdder();
    final LongAdder attemptsCutByDeadline = new LongAdder();
    final LongAdder lateResponses = new LongAdder();
    final AtomicInteger upstreamInFlight = new AtomicInteger();
    /** The longest time from a request's arrival to its answer, since start. */
    final java.util.concurrent.atomic.AtomicLong longestAnswerNanos = new java.util.concurrent.atomic.AtomicLong();

    RouteStats(String route) {
        this.route = route;
        Reasons.ALL.forEach(reason -> decisions.put(reason, new LongAdder()));
    }

    void decided(String reason) {
        LongAdder counter = decisions.get(reason);
        (counter != null ? counter : decisions.computeIfAbsent(reason, r -> new LongAdder())).increment();
    }

    RouteStatsSnapshot snapshot() {
        Map<String, Long> byReason = new LinkedHashMap<>();
        Reasons.ALL.forEach(reason -> byReason.put(reason, decisions.get(reason).sum()));
        decisions.forEach((reason, counter) -> byReason.putIfAbsent(reason, counter.sum()));
        return new RouteStatsSnapshot(route, byReason, retries.sum(), retryBudgetExhausted.sum(),
                                      attemptsCutByDeadline.sum(), lateResponses.sum(), upstreamInFlight.get(),
                                      java.time.Duration.ofNanos(longestAnswerNanos.get()));
    }
}
