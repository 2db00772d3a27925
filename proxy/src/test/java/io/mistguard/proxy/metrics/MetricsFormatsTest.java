package io.mistguard.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus client modules mistguard ships: the text format only, and at the version of the
 * client the Micrometer registry was built with. {@code proxy/pom.xml} excludes the protobuf format
 * module (its shaded protobuf-java was a tenth of the jar's entries, read at every start) and takes
 * the text format module directly; the root {@code pom.xml} pins that module's version by hand, so
 * this test is what notices a Micrometer upgrade that moves the client on.
 */
class MetricsFormatsTest {

    @Test
    void theTextFormatModuleIsAtTheClientVersionTheRegistryBrings() throws IOException {
        String core = version("prometheus-metrics-core");
        assertThat(core).isNotBlank();
        assertThat(version("prometheus-metrics-model")).isEqualTo(core);
        assertThat(version("prometheus-metrics-exposition-textformats")).isEqualTo(core);
    }

    @Test
    void theProtobufFormatIsAbsentAndTheRegistryStillScrapesText() {
        assertThat(new PrometheusProtobufWriter().isAvailable()).isFalse();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("mistguard_probe").increment();
        assertThat(registry.scrape()).contains("# TYPE mistguard_probe_total counter")
                .contains("mistguard_probe_total 1.0");
        assertThat(registry.scrape(Metrics.CONTENT_TYPE)).contains("mistguard_probe_total 1.0");
    }

    private static String version(String artifact) throws IOException {
        String resource = "/META-INF/maven/io.prometheus/" + artifact + "/pom.properties";
        try (InputStream in = MetricsFormatsTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        }
    }
}
