package io.mistguard.proxy;

import static io.mistguard.proxy.PolicyProxies.command;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.cache.CacheSnapshot;
import io.mistguard.sim.fault.FaultRule;
import io.mistguard.sim.junit.SimMistExtension;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Last-known-good answers and coalescing of GetState against sim-mist faults over loopback. */
class ReadCacheIT {

    private static final String GET_STATE = MistCommands.GET_STATE;
    private static final String ROUTES = """
            routes:
              - name: get-state
                match: {commands: [active_streams, stats_streams, push_list, push_auto_list]}
                kind: read
                timeout: 300ms
                per_try_timeout: 300ms
                retry: {attempts: 1}
                breaker: none
                stale: {max_age: 2s}
              - name: catch-all
                match: {}
                kind: passthrough
            """;

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(2, 2));

    /**
     * Regression: a stored answer kept only Mist's body and Content-Type, so a stale or cached GetState
     * lost Mist's CORS fields (a browser caller was then refused by its own CORS check).
     */
    @Test
    void aStaleAnswerCarriesMistsOwnHeaderFields() throws Exception {
        try (TestProxy proxy = PolicyProxies.start(ROUTES, MIST.get().port())) {
            HttpResponse<String> good = send(proxy, GET_STATE);
            assertThat(good.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
            MIST.get().faults().add(FaultRule.forCommand("active_streams").resetMidResponse());

            HttpResponse<String> stale = send(proxy, GET_STATE);

            assertThat(stale.headers().firstValue("Mistguard-Decision")).hasValue("stale; reason=upstream-reset");
            for (String field : List.of("Content-Type", "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
                                        "Access-Control-Allow-Methods", "Access-Control-Allow-Headers")) {
                assertThat(stale.headers().allValues(field)).as(field).isEqualTo(good.headers().allValues(field))
                                                             .isNotEmpty();
            }
            assertThat(stale.headers().allValues("Content-Length")).hasSize(1);
        } finally {
            MIST.get().faults().clear();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"hang, timeout, 504", "reset, upstream-reset, 502", "garbage, malformed-reply, 200",
                "status500, upstream-5xx, 500"})
    void getStateKeepsAnsweringTheLastGoodBodyForMaxAgeThenFallsBackToTheFailure(String fault, String reason,
                                                                               int afterMaxAge) throws Exception {
        try (TestProxy proxy = PolicyProxies.start(ROUTES, MIST.get().port())) {
            long asked = System.nanoTime(); // an answer's age counts from its request (RFC 9111 §4.2.3)
            HttpResponse<String> good = send(proxy, GET_STATE);
            long storedAround = System.nanoTime();
            assertThat(good.statusCode()).isEqualTo(200);
            assertThat(good.headers().firstValue("Mistguard-Decision")).hasValue("proxied");
            MIST.get().faults().add(faulty(fault).apply(FaultRule.forCommand("active_streams")));

            for (int i = 0; i < 2; i++) {
                HttpResponse<String> stale = send(proxy, GET_STATE);
                assertThat(stale.statusCode()).as(stale.body()).isEqualTo(200);
                assertThat(stale.body()).isEqualTo(good.body());
                assertThat(stale.headers().firstValue("Content-Type")).isEqualTo(good.headers().firstValue("Content-Type"));
                assertThat(stale.headers().firstValue("Mistguard-Decision")).hasValue("stale; reason=" + reason);
                assertThat(stale.headers().firstValue("Cache-Status")).hasValue("mistguard; fwd=stale; detail=" + reason);
                // Whole seconds since the good answer's request: at most what the test's clock saw pass (on
                // a loaded machine two 300 ms hangs and a cold first call can pass a second: it read "0").
                long seen = Duration.ofNanos(System.nanoTime() - asked).toSeconds();
                assertThat(Long.parseLong(stale.headers().firstValue("Age").orElseThrow())).isBetween(0L, seen);
            }
            // past stale.max_age, on the real clock of a running proxy
            Thread.sleep(Math.max(0, 2100 - Duration.ofNanos(System.nanoTime() - storedAround).toMillis()));

            HttpResponse<String> after = send(proxy, GET_STATE);
            assertThat(after.statusCode()).isEqualTo(afterMaxAge);
            assertThat(after.headers().firstValue("Mistguard-Decision").orElseThrow()).doesNotStartWith("stale");
            assertThat(after.headers().firstValue("Cache-Status")).isEmpty();
            assertThat(proxy.mistguard.cache().stale()).isEqualTo(2);
            String metrics = proxy.http.send(java.net.http.HttpRequest.newBuilder(proxy.adminUri("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("mistguard_stale_answers_total{route=\"get-state\"} 2.0")
                    .contains("mistguard_decisions_total{reason=\"stale\",route=\"get-state\"} 2.0");
        }
    }

    @Test
    void hundredConcurrentIdenticalGetStatesCostMistOneCallAndAllGetTheSameBody() throws Exception {
        try (TestProxy proxy = PolicyProxies.start(ROUTES.replace("300ms", "3s"), MIST.get().port())) {
            MIST.get().faults().add(FaultRule.forCommand("active_streams").delay(Duration.ofMillis(700)).times(1));
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(proxy.http.sendAsync(command(proxy, GET_STATE), HttpResponse.BodyHandlers.ofString()));
            }
            List<String> bodies = new ArrayList<>();
            List<String> decisions = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get();
                assertThat(response.statusCode()).isEqualTo(200);
                bodies.add(response.body());
                decisions.add(response.headers().firstValue("Mistguard-Decision").orElseThrow());
            }

            assertThat(MIST.get().recording().commandCount("active_streams")).isEqualTo(1);
            assertThat(bodies).containsOnly(bodies.get(0));
            assertThat(decisions).containsOnly("proxied", "coalesced");
            assertThat(decisions).filteredOn("proxied"::equals).hasSize(1);
            CacheSnapshot cache = proxy.mistguard.cache();
            assertThat(cache.sharedCalls()).isEqualTo(1);
            assertThat(cache.coalesced()).isEqualTo(99);
        }
    }

    @Test
    void theByteBoundHoldsWithLargeNonMinimalReplies() throws Exception {
        try (TestProxy proxy = PolicyProxies.start("cache: {max_bytes: 1MiB, max_entries: 10}\n" + ROUTES.replace("2s}", "30s}"),
                                                   MIST.get().port())) {
            MIST.get().faults().add(FaultRule.forCommand("active_streams").hugeBody(400_000));
            for (String path : List.of("/", "/api", "/api2")) {
                assertThat(send(proxy, path, GET_STATE).statusCode()).isEqualTo(200);
            }
            CacheSnapshot cache = proxy.mistguard.cache();
            assertThat(cache.bytes()).isLessThanOrEqualTo(1024 * 1024);
            assertThat(cache.entries()).isEqualTo(2);
            assertThat(cache.evicted()).isEqualTo(1);

            MIST.get().faults().clear();
            MIST.get().faults().add(FaultRule.forCommand("active_streams").hang());
            assertThat(send(proxy, "/", GET_STATE).statusCode()).as("least recently used, evicted").isEqualTo(504);
            HttpResponse<String> kept = send(proxy, "/api2", GET_STATE);
            assertThat(kept.statusCode()).isEqualTo(200);
            assertThat(kept.body()).hasSizeGreaterThanOrEqualTo(400_000);

            MIST.get().faults().clear();
            MIST.get().faults().add(FaultRule.forCommand("active_streams").hugeBody(2_000_000));
            assertThat(send(proxy, "/api", GET_STATE).statusCode()).isEqualTo(200);
            assertThat(proxy.mistguard.cache().tooLarge()).isEqualTo(1);
            assertThat(proxy.mistguard.cache().bytes()).isLessThanOrEqualTo(1024 * 1024);
        }
    }

    private static UnaryOperator<FaultRule> faulty(String fault) {
        return switch (fault) {
            case "hang" -> FaultRule::hang;
            case "reset" -> FaultRule::resetMidResponse;
            case "garbage" -> FaultRule::malformedJson;
            case "status500" -> r -> r.status(500);
            default -> throw new IllegalArgumentException(fault);
        };
    }

    private static HttpResponse<String> send(TestProxy proxy, String json) throws Exception {
        return proxy.http.send(command(proxy, json), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(TestProxy proxy, String path, String json) throws Exception {
        return proxy.http.send(HttpRequest.newBuilder(proxy.uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("command=" + URLEncoder.encode(json, StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
