package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import java.net.ConnectException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A real mistguard's lifecycle over loopback: health, graceful drain on shutdown, refusal afterwards. */
class LifecycleIT {

    @Test
    void healthzAnswersOnTheAdminListenerOnly() throws Exception {
        try (SimMist mist = SimMist.builder().start();
             TestProxy proxy = TestProxy.inFrontOf(mist.port(), Duration.ofSeconds(2))) {
            HttpResponse<String> health = proxy.http.send(HttpRequest.newBuilder(proxy.adminUri("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok\n");

            HttpResponse<String> unknown = proxy.http.send(HttpRequest.newBuilder(proxy.adminUri("/nope")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(unknown.statusCode()).isEqualTo(404);

            HttpResponse<String> post = proxy.http.send(HttpRequest.newBuilder(proxy.adminUri("/healthz"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void shutdownLetsARequestInFlightFinishThenRefusesNewConnections() throws Exception {
        try (SimMist mist = SimMist.builder().start()) {
            mist.faults().add(FaultRule.forCommand("push_list").delay(Duration.ofMillis(600)));
            TestProxy proxy = TestProxy.inFrontOf(mist.port(), Duration.ofSeconds(5));

            CompletableFuture<HttpResponse<String>> inFlight = proxy.http.sendAsync(
                    HttpRequest.newBuilder(proxy.uri("/api2?command=%7B%22push_list%22%3Atrue%7D")).build(),
                    HttpResponse.BodyHandlers.ofString());
            awaitRequestAtMist(mist);
            proxy.close(); // blocks while draining; grace is 2 s in TestProxy

            HttpResponse<String> response = inFlight.join();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Mistguard-Decision")).hasValue("proxied");
            assertThat(response.headers().firstValue("Connection")).hasValue("close");

            assertThatThrownBy(() -> proxy.get("/api2")).isInstanceOf(ConnectException.class);
        }
    }

    private static void awaitRequestAtMist(SimMist mist) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (mist.recording().requestCount() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(mist.recording().requestCount()).isPositive();
    }
}
