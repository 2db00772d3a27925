package io.mistguard.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.policy.RouteObserver;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: the status page reads a route's latency from the very histogram Prometheus exports, so
 * the reading must be cumulative (the page takes differences) and carry the route's own timeouts as
 * bucket bounds.
 */
class RouteLatencyMetricsTest {

    private final Metrics metrics = new Metrics();
    private final RouteConfig getState = PolicyConfig.defaults().routes().stream()
            .filter(r -> r.name().equals("get-state")).findFirst().orElseThrow();

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void countsAreCumulativePerBoundAndIncludeTheRoutesTimeouts() {
        RouteObserver observer = metrics.observer(getState);
        observer.answered(Duration.ofMillis(3).toNanos());
        observer.answered(Duration.ofMillis(3).toNanos());
        observer.answered(Duration.ofMillis(1900).toNanos());
        observer.answered(Duration.ofSeconds(11).toNanos()); // past every bound

        RouteLatency first = metrics.latency("get-state");
        assertThat(first.bounds()).contains(getState.timeout(), getState.perTryTimeout()).isSorted();
        assertThat(first.answers()).isEqualTo(4);
        assertThat(first.within(first.bounds().indexOf(Duration.ofMillis(5)))).isEqualTo(2);
        assertThat(first.within(first.bounds().indexOf(getState.perTryTimeout()))).isEqualTo(3);
        assertThat(first.within(first.bounds().size() - 1)).as("the 11 s answer is past the last bound").isEqualTo(3);

        observer.answered(Duration.ofMillis(1).toNanos());
        RouteLatency second = metrics.latency("get-state");
        assertThat(second.answers()).as("counts grow from start, reading after reading").isEqualTo(5);
        assertThat(second.within(0)).isEqualTo(3);
    }

    @Test
    void staleAnswersAndTheirAgesAddUp() {
        RouteObserver observer = metrics.observer(getState);
        observer.servedStale(Duration.ofSeconds(2));
        observer.servedStale(Duration.ofMillis(500));

        RouteLatency latency = metrics.latency("get-state");
        assertThat(latency.staleAnswers()).isEqualTo(2);
        assertThat(latency.staleAgeSeconds()).isEqualTo(2.5);
    }

    @Test
    void aRouteWithoutMetersHasNoReading() {
        assertThat(metrics.latency("no-such-route")).isNull();
    }
}
