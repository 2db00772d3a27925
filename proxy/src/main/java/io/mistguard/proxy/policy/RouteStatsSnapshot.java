package io.mistguard.proxy.policy;

import java.util.Map;

/**
 * A route's counters at one moment, for the admin listener and tests.
 *
 * @param route the route name
 * @param decisions answers by reason ({@code proxied}, {@code timeout}, {@code breaker-open}, ...)
 * @param retries attempts after the first
 * @param retryBudgetExhausted retries not made because the retry budget was spent
 * @param attemptsCutByDeadline attempts whose connection was closed because the budget ran out
 * @param lateResponses answers that arrived after the caller was answered (dropped)
 * @param upstreamInFlight attempts at Mist right now
 * @param longestAnswer the longest any request waited for its answer (from arrival), since start
 */
public record RouteStatsSnapshot(String route, Map<String, Long> decisions, long retries, long retryBudgetExhausted,
                                 long attemptsCutByDeadline, long lateResponses, int upstreamInFlight,
                                 java.time.Duration longestAnswer) {

    public RouteStatsSnapshot {
        decisions = Map.copyOf(decisions);
    }

    /** Answers given for {@code reason}. */
    public long decided(String reason) {
        return decisions.getOrDefault(reason, 0L);
    }
}
