package io.mistguard.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.metrics.RouteLatency;
import io.mistguard.proxy.policy.Breaker;
import io.mistguard.proxy.policy.PolicyRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: what the status page needs from the admin JSON views beyond what they had — a breaker's
 * state as callers get it and its last failure; per route, its answers by decision, attempts at Mist
 * and the last minute's p50/p99 and stale answers — read through the handler on a fake clock.
 */
class StatusViewsTest {

    private final TestAdminBackend backend = new TestAdminBackend();
    private final EmbeddedChannel channel = new EmbeddedChannel(new AdminHandler(backend, ""));

    @AfterEach
    void noLeaks() {
        assertFalse(channel.finishAndReleaseAll());
    }

    private JsonNode get(String path) throws Exception {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
        request.headers().set("Host", "127.0.0.1:4244"); // HTTP/1.1 requires one (RFC 9112 §3.2)
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        try {
            assertThat(response.status().code()).isEqualTo(200);
            return new ObjectMapper().readTree(response.content().toString(StandardCharsets.UTF_8));
        } finally {
            response.release();
        }
    }

    private JsonNode mist() throws Exception {
        for (JsonNode b : get("/admin/breakers").get("breakers")) {
            if (b.get("name").asText().equals("mist")) {
                return b;
            }
        }
        throw new AssertionError("no mist breaker");
    }

    private JsonNode route(String name) throws Exception {
        for (JsonNode r : get("/admin/routes").get("routes")) {
            if (r.get("name").asText().equals(name)) {
                return r;
            }
        }
        throw new AssertionError("no route " + name);
    }

    @Test
    void aBreakerShowsItsLastFailureAndTheStateCallersGet() throws Exception {
        Breaker breaker = backend.policies().breakerNamed("mist");
        assertThat(mist().get("last_failure").isNull()).isTrue();

        breaker.tryAcquire().failure("connect-refused");
        backend.clock.advance(Duration.ofMillis(2500));
        JsonNode failed = mist();
        assertThat(failed.get("last_failure").get("reason").asText()).isEqualTo("connect-refused");
        assertThat(failed.get("last_failure").get("ago_ms").asLong()).isEqualTo(2500);

        breaker.force(true, Duration.ofMinutes(5));
        JsonNode forced = mist();
        assertThat(forced.get("state").asText()).as("the breaker's own").isEqualTo("closed");
        assertThat(forced.get("effective_state").asText()).as("what callers get").isEqualTo("open");
        assertThat(forced.get("forced_remaining_ms").asLong()).isEqualTo(300_000);
    }

    @Test
    void aRouteShowsItsAnswersByDecision() throws Exception {
        int getState = routeIndex("get-state");
        registry().answeredElsewhere(getState, Decision.STALE, 0, Duration.ofSeconds(3));
        registry().answeredElsewhere(getState, Decision.STALE, 0, Duration.ofSeconds(3));
        registry().answeredElsewhere(getState, Decision.CACHED, 0, null);

        JsonNode stats = route("get-state").get("stats");
        assertThat(stats.get("decisions").get("stale").asLong()).isEqualTo(2);
        assertThat(stats.get("decisions").get("cached").asLong()).isEqualTo(1);
        assertThat(stats.get("decisions").get("breaker-open").asLong()).as("every decision, zeros too").isZero();
        assertThat(stats.get("answered").asLong()).isEqualTo(3);
        assertThat(stats.get("upstream_in_flight").asInt()).isZero();
        assertThat(stats.get("recent").isNull()).as("no meters in this backend").isTrue();
    }

    @Test
    void aRouteShowsTheLastMinutesLatencyAgainstItsBudgetAndItsStaleAnswers() throws Exception {
        List<Duration> bounds = List.of(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(4),
                                        Duration.ofSeconds(5));
        backend.latencies.put("get-state", new RouteLatency(bounds, new long[] {1000, 1000, 1000, 1000}, 1000, 0, 0));
        assertThat(route("get-state").get("stats").get("recent").get("window_ms").isNull()).isTrue();

        // ten seconds later: 100 answers more, just past the 4 s budget, all stale at 6 s old
        backend.clock.advance(Duration.ofSeconds(10));
        backend.latencies.put("get-state", new RouteLatency(bounds, new long[] {1000, 1000, 1000, 1100}, 1100, 100,
                                                            600.0));
        JsonNode recent = route("get-state").get("stats").get("recent");

        assertThat(recent.get("window_ms").asLong()).isEqualTo(10_000);
        assertThat(recent.get("answers").asLong()).isEqualTo(100);
        assertThat(recent.get("p99_bucket").get("above_ms").asDouble()).as("known to be past the budget")
                .isEqualTo(4000.0);
        assertThat(recent.get("p99_bucket").get("at_most_ms").asDouble()).isEqualTo(5000.0);
        assertThat(recent.get("p99_ms").asDouble()).isEqualTo(4990.0);
        assertThat(recent.get("stale_answers").asLong()).isEqualTo(100);
        assertThat(recent.get("stale_mean_age_ms").asDouble()).isEqualTo(6000.0);
        assertThat(route("get-state").get("timeout_ms").asLong()).as("the budget beside it").isEqualTo(4000);
    }

    private PolicyRegistry registry() {
        return (PolicyRegistry) backend.policies();
    }

    private int routeIndex(String name) {
        List<String> names = backend.policies().config().routes().stream().map(RouteConfig::name).toList();
        return names.indexOf(name);
    }
}
