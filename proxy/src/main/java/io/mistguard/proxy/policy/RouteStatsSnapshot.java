package io.mistguard.proxy.policy;

import io.mistguard.proxy.exchange.Decision;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A route's counters at one moment, for the admin listener and tests.
 *
 * @param route the route name
 * @param decisions answers by decision: every one of {@link Decision#perRoute()}, in declaration order
 * @param retries attempts after the first
 * @param retryBudgetExhausted retries not made because the retry budget was spent
 * @param attemptsCutByDeadline attempts whose connection was closed because the budget ran out
 * @param lateResponses answers that arrived after the caller was answered (dropped)
 * @param upstreamInFlight attempts at Mist right now
 * @param longestAnswer the longest any caller waited for its answer (from arrival), whatever gave it, since start
 */
public record RouteStatsSnapshot(String route, Map<Decision, Long> decisions, long retries, long retryBudgetExhausted,
                                 long attemptsCutByDeadline, long lateResponses, int upstreamInFlight,
                                 java.time.Duration longestAnswer) {

    public RouteStatsSnapshot {
        Map<Decision, Long> copy = new EnumMap<>(Decision.class);
        copy.putAll(decisions);
        decisions = Collections.unmodifiableMap(copy);
    }

    /** Answers given as {@code decision}. */
    public long decided(Decision decision) {
        return decisions.getOrDefault(decision, 0L);
    }
}
