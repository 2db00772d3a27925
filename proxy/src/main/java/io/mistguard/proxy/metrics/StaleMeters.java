package io.mistguard.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/**
 * {@link StaleAnswers} into Micrometer. Meters are looked up by route name (Micrometer caches them),
 * and route names are a bounded set from the config, so tags stay bounded. Thread-safe.
 */
final class StaleMeters implements StaleAnswers {

    private final MeterRegistry registry;

    StaleMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void served(String route, Duration age) {
        Counter.builder("mistguard.stale.answers").description("Answers served from last-known-good data")
                .tag("route", route).register(registry).increment();
        DistributionSummary.builder("mistguard.stale.age").baseUnit("seconds")
                .description("Age of the last-known-good data served").tag("route", route).register(registry)
                .record(age.toNanos() / 1e9);
    }
}
