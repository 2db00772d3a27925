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

    private InvalidationMeters() {}

    static void register(MeterRegistry registry, Supplier<InvalidationStats> stats) {
        gauge(registry, "mistguard.invalidations.depth", "Stream names waiting to be sent", stats, s -> s.depth());
        gauge(registry, "mistguard.invalidations.inflight", "Stream names in the call outstanding", stats,
              s -> s.inFlight());
        Gauge.builder("mistguard.invalidations.oldest.age", stats, s -> s.get().oldestPendingAge().toNanos() / 1e9)
             .baseUnit("seconds").description("Age of the oldest undelivered invalidation").register(registry);
        counter(registry, "mistguard.invalidations.accepted", "Invalidations accepted from callers", stats,
                InvalidationStats::accepted);
        counter(registry, "mistguard.invalidations.coalesced", "Invalidations merged into one already waiting",
                stats, InvalidationStats::coalesced);
        counter(registry, "mistguard.invalidations.rejected", "Invalidations refused (full, invalid, stopping)",
                stats, InvalidationStats::rejected);
        counter(registry, "mistguard.invalidations.sent", "Stream names delivered to Mist", stats,
                InvalidationStats::sent);
        counter(registry, "mistguard.invalidations.calls", "invalidate_sessions calls made to Mist", stats,
                InvalidationStats::calls);
        counter(registry, "mistguard.invalidations.failed", "invalidate_sessions calls that failed", stats,
                InvalidationStats::failed);
    }

    private static void gauge(MeterRegistry registry, String name, String help, Supplier<InvalidationStats> stats,
                              ToDoubleFunction<InvalidationStats> value) {
        Gauge.builder(name, stats, s -> value.applyAsDouble(s.get())).description(help).register(registry);
    }

    private static void counter(MeterRegistry registry, String name, String help, Supplier<InvalidationStats> stats,
                                ToDoubleFunction<InvalidationStats> value) {
        FunctionCounter.builder(name, stats, s -> value.applyAsDouble(s.get())).description(help).register(registry);
    }
}
