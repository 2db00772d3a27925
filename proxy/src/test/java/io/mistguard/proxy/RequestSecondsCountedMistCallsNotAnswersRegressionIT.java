package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mistguard.sim.fault.FaultRule;
import io.mistguard.sim.junit.SimMistExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regression (review, "metrics that don't match what callers saw"): {@code mistguard_request_seconds}
 * counted Mist calls, not answers. Ten concurrent GetStates on a Mist slowed to 1 s were counted
 * {@code proxied} 1 + {@code coalesced} 9 but observed once; ten {@code /koekjes.json} polls (nine
 * {@code cached}) once; five {@code queued} invalidations never, so {@code /admin/routes} said
 * {@code answered: 5} beside {@code recent.answers: 0}. The real proxy over loopback, as reported.
 */
class RequestSecondsCountedMistCallsNotAnswersRegressionIT {

    private static final String YAML = """
            admin: {token: s3cret}
            routes:
              - name: get-state
                match: {commands: [active_streams, stats_streams, push_list, push_auto_list]}
                kind: read
                timeout: 4s
                per_try_timeout: 2s
              - name: invalidate-sessions
                match: {commands: [invalidate_sessions]}
                kind: queued
              - name: prometheus
                match: {method: GET, path: /koekjes*, commands: []}
                kind: read
                fresh_for: 30s
              - name: catch-all
                match: {}
                kind: passthrough
            """;

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(2, 2));

    @Test
    void everyAnswerIsObservedOnceWhateverGaveIt() throws Exception {
        try (TestProxy proxy = PolicyProxies.start(YAML, MIST.get().port())) {
            MIST.get().faults().add(FaultRule.forCommand("active_streams").delay(Duration.ofSeconds(1)).times(1));
            List<CompletableFuture<HttpResponse<String>>> getStates = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                getStates.add(proxy.http.sendAsync(PolicyProxies.command(proxy, MistCommands.GET_STATE),
                                                   HttpResponse.BodyHandlers.ofString()));
            }
            List<String> decisions = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> call : getStates) {
                decisions.add(call.get().headers().firstValue("Mistguard-Decision").orElseThrow());
            }
            for (int i = 0; i < 10; i++) {
                decisions.add(proxy.http.send(PolicyProxies.get(proxy, "/koekjes.json"),
                        HttpResponse.BodyHandlers.ofString()).headers().firstValue("Mistguard-Decision").orElseThrow());
            }
            for (int i = 0; i < 5; i++) {
                decisions.add(proxy.http.send(PolicyProxies.command(proxy, "{\"invalidate_sessions\":\"video+s" + i + "\"}"),
                        HttpResponse.BodyHandlers.ofString()).headers().firstValue("Mistguard-Decision").orElseThrow());
            }
            assertThat(decisions.subList(0, 10)).containsOnly("proxied", "coalesced").containsOnlyOnce("proxied");
            assertThat(decisions.subList(10, 20)).containsOnly("proxied", "cached").containsOnlyOnce("proxied");
            assertThat(decisions.subList(20, 25)).containsOnly("queued");

            String metrics = admin(proxy, "/metrics");
            assertThat(sample(metrics, "mistguard_request_seconds_count", "get-state")).isEqualTo(10);
            assertThat(sample(metrics, "mistguard_request_seconds_bucket", "get-state", "0.5"))
                    .as("every GetState waited for Mist's slow second").isZero();
            assertThat(sample(metrics, "mistguard_upstream_seconds_count", "get-state")).isEqualTo(1);
            assertThat(sample(metrics, "mistguard_request_seconds_count", "prometheus")).isEqualTo(10);
            assertThat(sample(metrics, "mistguard_upstream_seconds_count", "prometheus")).isEqualTo(1);
            assertThat(sample(metrics, "mistguard_request_seconds_count", "invalidate-sessions")).isEqualTo(5);
            assertThat(sample(metrics, "mistguard_upstream_seconds_count", "invalidate-sessions")).isZero();

            JsonNode routes = new ObjectMapper().readTree(admin(proxy, "/admin/routes")).get("routes");
            for (JsonNode route : routes) {
                JsonNode stats = route.get("stats");
                assertThat(stats.get("recent").get("answers").asLong()).as(route.get("name").asText())
                        .isEqualTo(stats.get("answered").asLong());
            }
        }
    }

    private static String admin(TestProxy proxy, String path) throws Exception {
        HttpResponse<String> answer = proxy.http.send(HttpRequest.newBuilder(proxy.adminUri(path))
                .header("Authorization", "Bearer s3cret").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(path).isEqualTo(200);
        return answer.body();
    }

    private static double sample(String metrics, String name, String route) {
        return value(metrics, Pattern.quote(name + "{route=\"" + route + "\"}"));
    }

    private static double sample(String metrics, String name, String route, String le) {
        return value(metrics, Pattern.quote(name + "{route=\"" + route + "\",le=\"" + le + "\"}"));
    }

    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(metrics);
        assertThat(m.find()).as(series).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
