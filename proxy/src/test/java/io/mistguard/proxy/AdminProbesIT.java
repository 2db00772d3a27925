package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * What the admin listener says while work is under way: {@code /readyz} turns 503 as soon as a stop
 * begins while {@code /healthz} stays 200 through the drain (and a reload asked for then is refused,
 * not dropped), and {@code /admin/inflight} lists an
 * attempt held by a hung Mist with its route, age and deadline. Polls with deadlines, no sleeps.
 */
class AdminProbesIT {

    private static final Duration WITHIN = Duration.ofSeconds(5);
    private static final String GET_STATE = "{\"active_streams\":true}";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readyzTurns503WhenAStopBeginsAndHealthzStays200WhileTheDrainRuns() throws Exception {
        String yaml = """
                io_threads: 1
                shutdown_grace: 5s
                routes:
                  - {name: get-state, match: {commands: [active_streams]}, kind: read, timeout: 5s}
                  - {name: rest, match: {}, kind: passthrough}
                """;
        try (SimMist mist = SimMist.builder().streams(1, 1).start()) {
            TestProxy proxy = TestProxy.start(PolicyProxies.onLoopback(ConfigLoader.parse(yaml, "test.yaml"),
                                                                       mist.port()));
            CompletableFuture<Void> closed = null;
            try {
                assertThat(probe(proxy, "/readyz")).isEqualTo("200 ready\n");
                mist.faults().add(FaultRule.forCommand("active_streams").delay(Duration.ofMillis(1500)));
                CompletableFuture<HttpResponse<String>> slow = proxy.http.sendAsync(
                        PolicyProxies.command(proxy, GET_STATE), HttpResponse.BodyHandlers.ofString());
                awaitAtMist(mist);

                closed = CompletableFuture.runAsync(() -> close(proxy));
                assertThat(poll(() -> probe(proxy, "/readyz"), "503 not ready\n"::equals)).isEqualTo("503 not ready\n");
                assertThat(closed).as("still draining the slow request").isNotDone();
                assertThat(probe(proxy, "/healthz")).isEqualTo("200 ok\n");
                // Regression: a reload asked for during the drain was dropped without an answer.
                HttpResponse<String> reload = proxy.http.send(HttpRequest.newBuilder(proxy.adminUri("/admin/reload"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(reload.statusCode()).isEqualTo(422);
                assertThat(reload.body()).contains("\"applied\" : false", "mistguard is stopping");

                HttpResponse<String> answer = slow.get();
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.headers().firstValue("Mistguard-Decision")).hasValue("proxied");
                closed.get();
            } finally {
                if (closed == null) {
                    proxy.close();
                }
            }
        }
    }

    @Test
    void inflightListsTheAttemptAHungMistHoldsWithRouteAgeAndDeadline() throws Exception {
        String yaml = """
                routes:
                  - {name: get-state, match: {commands: [active_streams]}, kind: read, timeout: 2s}
                  - {name: rest, match: {}, kind: passthrough}
                """;
        try (SimMist mist = SimMist.builder().streams(1, 1).start();
             TestProxy proxy = PolicyProxies.start(yaml, mist.port())) {
            assertThat(inflight(proxy)).isEmpty();
            mist.faults().add(FaultRule.forCommand("active_streams").hang());
            long sent = System.nanoTime();
            CompletableFuture<HttpResponse<String>> hung = proxy.http.sendAsync(
                    PolicyProxies.command(proxy, GET_STATE), HttpResponse.BodyHandlers.ofString());

            JsonNode listed = poll(() -> inflight(proxy), list -> list.size() == 1);
            long sinceSent = Duration.ofNanos(System.nanoTime() - sent).toMillis();
            assertThat(listed).hasSize(1);
            JsonNode attempt = listed.get(0);
            assertThat(attempt.path("route").asText()).isEqualTo("get-state");
            assertThat(attempt.path("attempt").asInt()).isEqualTo(1);
            long age = attempt.path("age_ms").asLong();
            long deadlineIn = attempt.path("deadline_in_ms").asLong();
            assertThat(age).isBetween(0L, sinceSent);
            // The deadline is the request's: arrival + 2 s, a little after the attempt started.
            assertThat(age + deadlineIn).isBetween(2000L - 100L, 2000L);
            assertThat(deadlineIn).isPositive();

            assertThat(hung.get().statusCode()).isEqualTo(504);
            assertThat(poll(() -> inflight(proxy), JsonNode::isEmpty)).isEmpty();
        }
    }

    private static JsonNode inflight(TestProxy proxy) throws Exception {
        HttpResponse<String> view = proxy.http.send(HttpRequest.newBuilder(proxy.adminUri("/admin/inflight")).build(),
                                                    HttpResponse.BodyHandlers.ofString());
        assertThat(view.statusCode()).isEqualTo(200);
        return JSON.readTree(view.body()).path("inflight");
    }

    /** Status and body of a probe, e.g. {@code 200 ok\n}. */
    private static String probe(TestProxy proxy, String path) throws Exception {
        HttpResponse<String> answer = proxy.http.send(HttpRequest.newBuilder(proxy.adminUri(path)).build(),
                                                      HttpResponse.BodyHandlers.ofString());
        return answer.statusCode() + " " + answer.body();
    }

    private static void close(TestProxy proxy) {
        try {
            proxy.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads until {@code done} holds or {@link #WITHIN} passes; returns the last value read. */
    private static <T> T poll(Read<T> read, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        T value = read.get();
        while (!done.test(value) && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
            value = read.get();
        }
        return value;
    }

    private static void awaitAtMist(SimMist mist) throws Exception {
        assertThat(poll(() -> mist.recording().requestCount(), n -> n > 0)).isPositive();
    }

    @FunctionalInterface
    private interface Read<T> {
        T get() throws Exception;
    }
}
