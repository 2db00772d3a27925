package io.mistguard.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.policy.RouteObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * A route's two latency histograms, {@code mistguard_request_seconds} (a caller's arrival to its
 * answer: one observation per answer, whatever gave it — a call of its own, a shared call, a stored
 * reply, the queue or a refusal — so its count is the sum of the route's
 * {@code mistguard_decisions_total}) and {@code mistguard_upstream_seconds} (one observation per
 * attempt at Mist, shared calls, retries and background refreshes included), and its stale answers
 * ({@code mistguard_stale_answers_total}, {@code mistguard_stale_age_seconds}: one per caller served
 * one), fed by the policy engine and the cache; every meter registered once, here, and resolved once
 * per route, so recording allocates nothing.
 *
 * <p>The bucket boundaries are fixed per route and include the route's {@code timeout} and
 * {@code per_try_timeout} (mist-api.md §6: buckets should line up with the timeouts they tune), so
 * "how many answers came within the budget" is one bucket read. Thread-safe (Micrometer timers).
 */
final class RouteTimers implements RouteObserver {

    /** Boundaries every route has, so routes can be compared bucket by bucket. */
    static final List<Duration> STANDARD = List.of(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10));

    private final Timer request;
    private final Timer upstream;
    private final Counter staleAnswers;
    private final DistributionSummary staleAge;

    RouteTimers(MeterRegistry registry, RouteConfig route) {
        Duration[] buckets = buckets(route);
        this.request = Timer.builder("mistguard.request")
                .description("Time from a caller's arrival to its answer, once per answer")
                .tag("route", route.name()).serviceLevelObjectives(buckets).register(registry);
        this.upstream = Timer.builder("mistguard.upstream")
                .description("Time of one attempt at Mist, once per attempt")
                .tag("route", route.name()).serviceLevelObjectives(buckets).register(registry);
        // Not removed with the timers: a reload that changes the timeouts keeps counting stale answers.
        this.staleAnswers = Counter.builder("mistguard.stale.answers")
                .description("Answers served from last-known-good data").tag("route", route.name()).register(registry);
        this.staleAge = DistributionSummary.builder("mistguard.stale.age").baseUnit("seconds")
                .description("Age of the last-known-good data served").tag("route", route.name()).register(registry);
    }

    /** The standard boundaries plus the route's own timeouts, ascending, without duplicates. */
    static Duration[] buckets(RouteConfig route) {
        TreeSet<Duration> all = new TreeSet<>(STANDARD);
        all.add(route.timeout());
        all.add(route.perTryTimeout());
        return all.toArray(Duration[]::new);
    }

    @Override
    public void answered(long totalNanos) {
        request.record(totalNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void attempted(long upstreamNanos) {
        upstream.record(upstreamNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void servedStale(Duration age) {
        staleAnswers.increment();
        staleAge.record(age.toNanos() / 1e9);
    }

    /**
     * The request histogram's buckets and the stale-answer totals now, for the admin status page:
     * Micrometer's Prometheus histograms count from registration, so the counts are cumulative.
     */
    RouteLatency latency() {
        CountAtBucket[] counts = request.takeSnapshot().histogramCounts();
        List<Duration> bounds = new ArrayList<>(counts.length);
        long[] within = new long[counts.length];
        for (int i = 0; i < counts.length; i++) {
            bounds.add(Duration.ofNanos((long) counts[i].bucket(TimeUnit.NANOSECONDS)));
            within[i] = (long) counts[i].count();
        }
        return new RouteLatency(bounds, within, request.count(), (long) staleAnswers.count(),
                                staleAge.totalAmount());
    }

    /** Removes both timers (a reload changed the route's timeouts, so its buckets must change). */
    void remove(MeterRegistry registry) {
        registry.remove(request);
        registry.remove(upstream);
    }
}
