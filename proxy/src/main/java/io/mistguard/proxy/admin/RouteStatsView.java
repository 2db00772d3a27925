package io.mistguard.proxy.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.policy.RouteStatsSnapshot;
import java.io.IOException;
import java.time.Duration;

/**
 * The {@code "stats"} object of each route in {@code /admin/routes}: what the route has answered
 * since start (every per-route decision, zeros included, so the keys never change), its attempts
 * at Mist now, and the last minute's latency quantiles and stale answers ({@link RecentLatency}).
 * Counters only grow (a reload keeps a route's counters while its name stays), so a reader that
 * polls gets rates from differences, as the status page does for requests per second. Stateless.
 */
final class RouteStatsView {

    private RouteStatsView() {
    }

    /**
     * Writes the {@code "stats"} field.
     *
     * @param recent the last minute's figures, or {@code null} when the route has no meters (then
     *               {@code "recent"} is {@code null})
     */
    static void write(JsonGenerator json, RouteStatsSnapshot stats, RecentLatency.Figures recent) throws IOException {
        json.writeObjectFieldStart("stats");
        long answered = 0;
        json.writeObjectFieldStart("decisions");
        for (Decision d : Decision.perRoute()) {
            long n = stats.decided(d);
            answered += n;
            json.writeNumberField(d.token(), n);
        }
        json.writeEndObject();
        json.writeNumberField("answered", answered);
        json.writeNumberField("upstream_in_flight", stats.upstreamInFlight());
        json.writeNumberField("retries", stats.retries());
        json.writeNumberField("retry_budget_exhausted", stats.retryBudgetExhausted());
        json.writeNumberField("attempts_cut_by_deadline", stats.attemptsCutByDeadline());
        json.writeNumberField("late_responses", stats.lateResponses());
        json.writeNumberField("longest_answer_ms", stats.longestAnswer().toMillis());
        if (recent == null) {
            json.writeNullField("recent");
        } else {
            recent(json, recent);
        }
        json.writeEndObject();
    }

    private static void recent(JsonGenerator json, RecentLatency.Figures f) throws IOException {
        json.writeObjectFieldStart("recent");
        millis(json, "window_ms", f.window());
        json.writeNumberField("answers", f.answers());
        quantile(json, "p50", f.p50());
        quantile(json, "p99", f.p99());
        json.writeNumberField("stale_answers", f.staleAnswers());
        // The ages are whole seconds (each answer's Age header), so the mean is as coarse.
        millis(json, "stale_mean_age_ms", f.staleMeanAge());
        json.writeEndObject();
    }

    /**
     * {@code <name>_ms}, the estimate, and {@code <name>_bucket} with the bounds it is known to lie
     * between: {@code above_ms} and {@code at_most_ms} ({@code null} past the largest bound).
     */
    private static void quantile(JsonGenerator json, String name, RecentLatency.Quantile q) throws IOException {
        millis(json, name + "_ms", q == null ? null : q.estimate());
        if (q == null) {
            json.writeNullField(name + "_bucket");
            return;
        }
        json.writeObjectFieldStart(name + "_bucket");
        millis(json, "above_ms", q.above());
        millis(json, "at_most_ms", q.atMost());
        json.writeEndObject();
    }

    /** Milliseconds to 0.01 ms (a pass-through answer takes well under one); {@code null} as null. */
    private static void millis(JsonGenerator json, String field, Duration d) throws IOException {
        if (d == null) {
            json.writeNullField(field);
        } else {
            json.writeNumberField(field, Math.round(d.toNanos() / 10_000.0) / 100.0);
        }
    }
}
