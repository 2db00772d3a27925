package io.mistguard.proxy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Garbage-collection meters read at scrape time, per collector ({@code gc} tag, e.g. {@code Copy},
 * {@code MarkSweepCompact}): {@code jvm_gc_collections_total}, collections since start, and
 * {@code jvm_gc_collection_seconds_total}, the time they took (the JVM's accumulated elapsed
 * collection time, millisecond resolution). Their rates say how often the JVM collects and what
 * share of wall time it spends doing so.
 *
 * <p>In place of Micrometer's {@code JvmGcMetrics}, which subscribes to a JMX notification per
 * collection and builds a {@code GcInfo} for each: with the image's small heap the JVM collects ~50
 * times a second at saturation, and that listener's thread then ran ~165 ms in every 10 s on the
 * event loop's one core ({@code /proc/PID/task/TID/schedstat}, small-GET load). Reading two counters
 * when Prometheus scrapes costs nothing between scrapes. What is given up: per-pause histograms and
 * the allocated/promoted byte counts, which only that notification carries.
 *
 * <p>Stateless apart from the bean list; thread-safe (the beans are).
 */
public final class GcMeters implements MeterBinder {

    private final List<GarbageCollectorMXBean> collectors;

    /** Meters for this JVM's collectors. */
    public GcMeters() {
        this(ManagementFactory.getGarbageCollectorMXBeans());
    }

    /** Meters for {@code collectors} (tests pass their own). */
    GcMeters(List<GarbageCollectorMXBean> collectors) {
        this.collectors = List.copyOf(collectors);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (GarbageCollectorMXBean collector : collectors) {
            FunctionCounter.builder("jvm.gc.collections", collector, c -> Math.max(0, c.getCollectionCount()))
                    .tag("gc", collector.getName())
                    .description("Garbage collections since the JVM started")
                    .register(registry);
            FunctionCounter.builder("jvm.gc.collection.seconds", collector,
                                    c -> Math.max(0, c.getCollectionTime()) / 1000.0)
                    .tag("gc", collector.getName())
                    .description("Time spent in garbage collections since the JVM started, in seconds")
                    .register(registry);
        }
    }
}
