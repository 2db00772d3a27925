package io.mistguard.proxy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mistguard.proxy.invalidation.InvalidationStats;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The invalidation queue's meters, read from its {@link InvalidationStats} at scrape time (no state
 * of their own): depth, oldest age and names in flight as gauges; accepted, coalesced, rejected,
 * sent, calls and failed calls as counters. Registered once; thread-safe.
 */
final class InvalidationMeters {

    /**
     * Held here, and this object by {@link Metrics}: Micrometer keeps only weak references to the
     * objects its function meters read, so a supplier nobody else holds would be collected and the
     * gauges would read NaN (and the counters freeze) after the first GC.
     */
    private final Supplier<InvalidationStats> stats;

    InvalidationMeters(MeterRegistry registry, Supplier<InvalidationStats> stats) {
        this.stats = stats;
        gauge(registry, "mistguard.invalidations.depth", "Stream names waiting to be sent", s -> s.depth());
        gauge(registry, "mistguard.invalidations.inflight", "Stream names in the call outstanding", s -> s.inFlight());
        Gauge.builder("mistguard.invalidations.oldest.age", this, m -> m.stats.get().oldestPendingAge().toNanos() / 1e9)
             .baseUnit("seconds").description("Age of the oldest undelivered invalidation").register(registry);
        counter(registry, "mistguard.invalidations.accepted", "Invalidations accepted from callers",
                InvalidationStats::accepted);
        counter(registry, "mistguard.invalidations.coalesced", "Invalidations merged into one already waiting",
                InvalidationStats::coalesced);
        counter(registry, "mistguard.invalidations.rejected", "Invalidations refused (full, invalid, stopping)",
                InvalidationStats::rejected);
        counter(registry, "mistguard.invalidations.sent", "Stream names delivered to Mist", InvalidationStats::sent);
        counter(registry, "mistguard.invalidations.calls", "invalidate_sessions calls made to Mist",
                InvalidationStats::calls);
        counter(registry, "mistguard.invalidations.failed", "invalidate_sessions calls that failed",
                InvalidationStats::failed);
    }

    private void gauge(MeterRegistry registry, String name, String help, ToDoubleFunction<InvalidationStats> value) {
        Gauge.builder(name, this, m -> value.applyAsDouble(m.stats.get())).description(help).register(registry);
    }

    private void counter(MeterRegistry registry, String name, String help, ToDoubleFunction<InvalidationStats> value) {
        FunctionCounter.builder(name, this, m -> value.applyAsDouble(m.stats.get())).description(help)
                       .register(registry);
    }
}
