package io.mistguard.proxy.metrics;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * A route's answer-latency histogram and stale-answer totals, as counted since its meters were
 * registered: the same buckets {@code mistguard_request_seconds} exports (5 ms … 10 s plus the route's
 * {@code timeout} and {@code per_try_timeout}), read for the admin status page so that it and Grafana
 * agree. Counters only grow, except when a reload changes the route's timeouts and so its buckets
 * (new meters, counted from zero). Immutable: the arrays are copied in and out.
 *
 * @param bounds the bucket upper bounds, ascending
 * @param cumulative answers within each bound ({@code cumulative[i]} = answers that took at most
 *                   {@code bounds[i]}), non-decreasing
 * @param answers all answers, also those slower than the last bound
 * @param staleAnswers last-known-good answers served
 * @param staleAgeSeconds the ages of those answers added up, in seconds
 */
public record RouteLatency(List<Duration> bounds, long[] cumulative, long answers, long staleAnswers,
                           double staleAgeSeconds) {

    public RouteLatency {
        bounds = List.copyOf(bounds);
        cumulative = requireNonNull(cumulative, "cumulative").clone();
        if (cumulative.length != bounds.size()) {
            throw new IllegalArgumentException("cumulative: " + cumulative.length + " counts for " + bounds.size()
                                               + " bounds (expected: one count per bound)");
        }
    }

    @Override
    public long[] cumulative() {
        return cumulative.clone();
    }

    /** Answers within {@code bounds[i]}, without copying the array. */
    public long within(int i) {
        return cumulative[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RouteLatency r && bounds.equals(r.bounds) && Arrays.equals(cumulative, r.cumulative)
               && answers == r.answers && staleAnswers == r.staleAnswers
               && Double.compare(staleAgeSeconds, r.staleAgeSeconds) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * bounds.hashCode() + Arrays.hashCode(cumulative) + Long.hashCode(answers);
    }

    @Override
    public String toString() {
        return "RouteLatency[bounds=" + bounds + ", cumulative=" + Arrays.toString(cumulative) + ", answers="
               + answers + ", staleAnswers=" + staleAnswers + ", staleAgeSeconds=" + staleAgeSeconds + ']';
    }
}
