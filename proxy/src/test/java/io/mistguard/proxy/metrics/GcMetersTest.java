package io.mistguard.proxy.metrics;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * GC meters are read from the collector beans when scraped: counts and seconds per collector, a
 * bean's "undefined" (-1) shown as 0; a proxy's registry has them, and no code of mistguard binds a
 * Micrometer meter that listens to every collection.
 */
class GcMetersTest {

    @Test
    void countsAndSecondsPerCollectorAreReadAtScrapeTime() {
        AtomicLong count = new AtomicLong(3);
        AtomicLong millis = new AtomicLong(1500);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new GcMeters(List.of(collector("Copy", count, millis), collector("Other", new AtomicLong(-1),
                                                                            new AtomicLong(-1)))).bindTo(registry);

        assertThat(registry.scrape()).contains("jvm_gc_collections_total{gc=\"Copy\"} 3.0")
                .contains("jvm_gc_collection_seconds_total{gc=\"Copy\"} 1.5")
                .contains("jvm_gc_collections_total{gc=\"Other\"} 0.0")
                .contains("jvm_gc_collection_seconds_total{gc=\"Other\"} 0.0");
        count.set(10);
        millis.set(2250);
        assertThat(registry.scrape()).contains("jvm_gc_collections_total{gc=\"Copy\"} 10.0")
                .contains("jvm_gc_collection_seconds_total{gc=\"Copy\"} 2.25");
    }

    @Test
    void aProxyScrapesGcMeters() {
        Metrics metrics = new Metrics();
        try {
            assertThat(metrics.scrape()).contains("jvm_gc_collections_total{gc=")
                    .contains("jvm_gc_collection_seconds_total{gc=");
        } finally {
            metrics.close();
        }
    }

    @Test
    void noMeterListensToEveryCollection() {
        noClasses().should().dependOnClassesThat()
                .haveFullyQualifiedName("io.micrometer.core.instrument.binder.jvm.JvmGcMetrics")
                .orShould().dependOnClassesThat()
                .haveFullyQualifiedName("io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics")
                .because("both subscribe to a JMX notification per collection, handled on the event loop's core")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                               .importPackages("io.mistguard.proxy"));
    }

    private static GarbageCollectorMXBean collector(String name, AtomicLong count, AtomicLong millis) {
        return (GarbageCollectorMXBean) Proxy.newProxyInstance(GcMetersTest.class.getClassLoader(),
                new Class<?>[] {GarbageCollectorMXBean.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getName" -> name;
                    case "getCollectionCount" -> count.get();
                    case "getCollectionTime" -> millis.get();
                    case "isValid" -> true;
                    case "getMemoryPoolNames" -> new String[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> name;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
