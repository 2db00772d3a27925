package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.sim.SimMist;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin listener of a real mistguard: metrics after traffic, auth, breaker overrides, reload. */
class OperationsIT {

    private static final String GET_STATE = "{\"active_streams\":true}";
    private static final String YAML = """
            admin: {token: s3cret}
            routes:
              - name: get-state
                match: {commands: [active_streams]}
                kind: read
                timeout: 3s
                per_try_timeout: 1500ms
                breaker: mist
              - name: rest
                match: {}
                kind: passthrough
            """;

    @Test
    void metricsAfterTrafficHaveRouteBucketsAtTheTimeouts() throws Exception {
        try (SimMist mist = SimMist.builder().start();
             TestProxy proxy = PolicyProxies.start(YAML, mist.port())) {
            assertThat(proxy.http.send(PolicyProxies.command(proxy, GET_STATE), HttpResponse.BodyHandlers.ofString())
                               .statusCode()).isEqualTo(200);

            HttpResponse<String> scrape = admin(proxy, "GET", "/metrics", "s3cret");

            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(scrape.body()).contains(
                    "mistguard_request_seconds_bucket{route=\"get-state\",le=\"1.5\"} 1",
                    "mistguard_request_seconds_bucket{route=\"get-state\",le=\"3.0\"} 1",
                    "mistguard_upstream_seconds_bucket{route=\"get-state\",le=\"1.5\"} 1",
                    "mistguard_request_seconds_count{route=\"get-state\"} 1",
                    "mistguard_decisions_total{reason=\"proxied\",route=\"get-state\"} 1.0",
                    "mistguard_decisions_total{reason=\"timeout\",route=\"get-state\"} 0.0",
                    "mistguard_breaker_state{breaker=\"mist\"} 0.0",
                    "mistguard_upstream_inflight{route=\"get-state\"} 0.0",
                    "mistguard_retries_total{route=\"get-state\"} 0.0",
                    "mistguard_invalidations_depth 0.0",
                    "jvm_memory_used_bytes", "process_uptime_seconds", "jvm_threads_live_threads");
            assertThat(scrape.body()).doesNotContain("active_streams");
        }
    }

    @Test
    void adminEndpointsNeedTheTokenExceptProbes() throws Exception {
        try (SimMist mist = SimMist.builder().start(); TestProxy proxy = PolicyProxies.start(YAML, mist.port())) {
            assertThat(admin(proxy, "GET", "/healthz", null).statusCode()).isEqualTo(200);
            HttpResponse<String> ready = admin(proxy, "GET", "/readyz", null);
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("ready\n");
            for (String path : List.of("/metrics", "/admin/routes", "/admin/breakers", "/admin/inflight",
                                       "/admin/invalidations")) {
                assertThat(admin(proxy, "GET", path, null).statusCode()).as(path).isEqualTo(401);
                assertThat(admin(proxy, "GET", path, "wrong").statusCode()).as(path).isEqualTo(401);
                assertThat(admin(proxy, "GET", path, "s3cret").statusCode()).as(path).isEqualTo(200);
            }
            HttpResponse<String> getReload = admin(proxy, "GET", "/admin/reload", "s3cret");
            assertThat(getReload.statusCode()).isEqualTo(405);
            assertThat(getReload.headers().firstValue("Allow")).hasValue("POST");
            assertThat(admin(proxy, "POST", "/admin/routes", "s3cret").statusCode()).isEqualTo(405);
            assertThat(admin(proxy, "GET", "/admin/routes", "s3cret").body())
                    .contains("\"name\" : \"get-state\"", "\"timeout_ms\" : 3000", "\"per_try_timeout_ms\" : 1500");
        }
    }

    @Test
    void forcedBreakerStatesAnswerAtOnceAndExpire() throws Exception {
        try (SimMist mist = SimMist.builder().start(); TestProxy proxy = PolicyProxies.start(YAML, mist.port())) {
            assertThat(admin(proxy, "POST", "/admin/breakers/mist/force-open", "s3cret").statusCode()).isEqualTo(400);
            assertThat(admin(proxy, "POST", "/admin/breakers/nope/force-open?for=1s", "s3cret").statusCode())
                    .isEqualTo(404);
            assertThat(admin(proxy, "GET", "/admin/breakers/mist/force-open?for=1s", "s3cret").statusCode())
                    .isEqualTo(405);

            HttpResponse<String> forced = admin(proxy, "POST", "/admin/breakers/mist/force-open?for=400ms", "s3cret");
            assertThat(forced.statusCode()).isEqualTo(200);
            assertThat(forced.body()).contains("\"forced\" : \"open\"");
            HttpResponse<String> refused = proxy.http.send(PolicyProxies.command(proxy, GET_STATE),
                                                           HttpResponse.BodyHandlers.ofString());
            assertThat(refused.headers().firstValue("Mistguard-Decision")).hasValue("rejected; reason=breaker-open");
            assertThat(admin(proxy, "GET", "/metrics", "s3cret").body())
                    .contains("mistguard_breaker_state{breaker=\"mist\"} 1.0");

            Thread.sleep(500); // the override's expiry is on the real ticker here; BreakerForceTest uses a fake one
            assertThat(proxy.http.send(PolicyProxies.command(proxy, GET_STATE), HttpResponse.BodyHandlers.ofString())
                               .headers().firstValue("Mistguard-Decision")).hasValue("proxied");
            assertThat(admin(proxy, "GET", "/admin/breakers", "s3cret").body()).contains("\"forced\" : \"none\"");
        }
    }

    @Test
    void reloadAppliesAGoodFileAndRefusesABadOneWhileServing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mistguard.yaml");
        String yaml = "io_threads: 1\nshutdown_grace: 1s\n" + YAML;
        Files.writeString(file, yaml);
        try (SimMist mist = SimMist.builder().start()) {
            ProxyConfig config = PolicyProxies.onLoopback(ConfigLoader.load(file), mist.port());
            HostPort upstream = config.upstream().address();
            try (TestProxy proxy = new TestProxy(Mistguard.start(config, file,
                    loaded -> PolicyProxies.onLoopback(loaded, upstream.port())))) {
                List<CompletableFuture<HttpResponse<String>>> load = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    load.add(proxy.http.sendAsync(PolicyProxies.command(proxy, GET_STATE),
                                                  HttpResponse.BodyHandlers.ofString()));
                }
                Files.writeString(file, yaml.replace("timeout: 3s", "timeout: 2s"));
                HttpResponse<String> good = admin(proxy, "POST", "/admin/reload", "s3cret");
                for (int i = 0; i < 40; i++) {
                    load.add(proxy.http.sendAsync(PolicyProxies.command(proxy, GET_STATE),
                                                  HttpResponse.BodyHandlers.ofString()));
                }
                Files.writeString(file, yaml.replace("kind: read", "kind: reed"));
                HttpResponse<String> bad = admin(proxy, "POST", "/admin/reload", "s3cret");

                assertThat(good.statusCode()).isEqualTo(200);
                assertThat(good.body()).contains("\"applied\" : true", "\"restart_needed\" : [ ]");
                assertThat(bad.statusCode()).isEqualTo(422);
                assertThat(bad.body()).contains("\"applied\" : false",
                        "mistguard.yaml:7:11: routes[0].kind: \\\"reed\\\" is not a route kind");
                assertThat(proxy.mistguard.config().policy().route("get-state").timeout()).hasSeconds(2);
                for (CompletableFuture<HttpResponse<String>> f : load) {
                    // Concurrent identical reads share one Mist call: either way, Mist answered.
                    assertThat(f.join().headers().firstValue("Mistguard-Decision")).hasValueSatisfying(
                            d -> assertThat(d).isIn("proxied", "coalesced"));
                }
                assertThat(admin(proxy, "GET", "/metrics", "s3cret").body())
                        .contains("mistguard_request_seconds_bucket{route=\"get-state\",le=\"2.0\"}")
                        .containsPattern("mistguard_decisions_total\\{reason=\"proxied\",route=\"get-state\"} [1-9]");
                // Every one of the 80 answers is counted, whether it made its own Mist call or shared one.
                assertThat(decisions(admin(proxy, "GET", "/metrics", "s3cret").body(), "get-state", "proxied", "coalesced"))
                        .isEqualTo(80.0);
            }
        }
    }

    private static HttpResponse<String> admin(TestProxy proxy, String method, String path, String token)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(proxy.adminUri(path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return proxy.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sum of {@code mistguard_decisions_total} for {@code route} over {@code reasons}. */
    private static double decisions(String metrics, String route, String... reasons) {
        double sum = 0;
        for (String reason : reasons) {
            String prefix = "mistguard_decisions_total{reason=\"" + reason + "\",route=\"" + route + "\"} ";
            sum += metrics.lines().filter(l -> l.startsWith(prefix))
                          .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).sum();
        }
        return sum;
    }
}
