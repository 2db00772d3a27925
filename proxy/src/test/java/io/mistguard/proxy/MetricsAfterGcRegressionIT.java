package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.SimMist;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Regression: Micrometer keeps only weak references to what its function gauges read; the
 * invalidation gauges read through a supplier nobody else held, so after a GC they reported NaN.
 */
class MetricsAfterGcRegressionIT {

    @Test
    void invalidationGaugesStillReadTheQueueAfterGarbageCollection() throws Exception {
        try (SimMist mist = SimMist.builder().start();
             TestProxy proxy = TestProxy.inFrontOf(mist.port(), Duration.ofSeconds(2))) {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(20);
            }
            String metrics = proxy.http.send(HttpRequest.newBuilder(proxy.adminUri("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();

            assertThat(metrics).contains("mistguard_invalidations_depth 0.0", "mistguard_invalidations_inflight 0.0")
                    .doesNotContain("NaN");
        }
    }
}
