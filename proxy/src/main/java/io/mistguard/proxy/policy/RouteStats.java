package io.mistguard.proxy.policy;

import io.mistguard.proxy.exchange.Decision;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A route's counters: answers by {@link Decision} (one counter per decision a route can give, made
 * up front, so the set exported never depends on what has happened yet), retries, budget exhaustion, attempts cut by a deadline,
 * late responses and attempts in flight. Written from every event loop with {@link LongAdder}s
 * (no locks); read as a {@link RouteStatsSnapshot}. Thread-safe.
 */
final class RouteStats {

    private final String route;
    /** Filled in the constructor and never changed after: read concurrently without locks. */
    private final Map<Decision, LongAdder> decisions = new EnumMap<>(Decision.class);
    final LongAdder retries = new LongAdder();
    final LongAdder retryBudgetExhausted = new LongAdder();
    final LongAdder attemptsCutByDeadline = new LongAdder();
    final LongAdder lateResponses = new LongAdder();
    final AtomicInteger upstreamInFlight = new AtomicInteger();
    /** The longest time a caller waited from its arrival to its answer (whatever gave it), since start. */
    final java.util.concurrent.atomic.AtomicLong longestAnswerNanos = new java.util.concurrent.atomic.AtomicLong();

    RouteStats(String route) {
        this.route = route;
        Decision.perRoute().forEach(decision -> decisions.put(decision, new LongAdder()));
    }

    /**
     * Counts one answer.
     *
     * @throws IllegalArgumentException for a decision no route gives (refused before a route, or a cause)
     */
    void decided(Decision decision) {
        LongAdder counter = decisions.get(decision);
        if (counter == null) {
            throw new IllegalArgumentException(decision + " is not a decision of a route");
        }
        counter.increment();
    }

    RouteStatsSnapshot snapshot() {
        Map<Decision, Long> byReason = new EnumMap<>(Decision.class);
        decisions.forEach((decision, counter) -> byReason.put(decision, counter.sum()));
        return new RouteStatsSnapshot(route, byReason, retries.sum(), retryBudgetExhausted.sum(),
                                      attemptsCutByDeadline.sum(), lateResponses.sum(), upstreamInFlight.get(),
                                      java.time.Duration.ofNanos(longestAnswerNanos.get()));
    }
}
