package io.mistguard.proxy;

import static io.mistguard.proxy.PolicyProxies.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mistguard.proxy.config.ConfigException;
import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * {@code {"config":{}}}, writes, {@code authorize} and {@code Cache-Control: no-cache} are never
 * answered stale, even on a read route that serves everything else stale (mist-api.md §2, §3).
 */
class NeverServedStaleRegressionIT {

    private static final String EVERYTHING_STALE = """
            routes:
              - name: anything
                match: {commands: [config]}
                kind: read
                timeout: 300ms
                retry: {attempts: 1}
                breaker: none
                coalesce: true
              - name: reads
                match: {}
                kind: read
                timeout: 300ms
                retry: {attempts: 1}
                breaker: none
                stale: {max_age: 30s}
            """;

    @Test
    void configReadAuthorizeAndNoCacheAreAskedOfMistEveryTimeAndFailWhenItHangs() throws Exception {
        try (SimMist mist = SimMist.builder().streams(1, 1).start();
             TestProxy proxy = PolicyProxies.start(EVERYTHING_STALE, mist.port())) {
            String authorize = MistCommands.ALL.stream().filter(c -> c.name().equals("authorize")).findFirst()
                                               .orElseThrow().json();
            for (String json : new String[] {"{\"config\":{}}", authorize, MistCommands.GET_STATE}) {
                proxy.http.send(command(proxy, json), HttpResponse.BodyHandlers.ofString());
            }
            mist.faults().add(FaultRule.any().hang());

            assertNotStale(proxy.http.send(command(proxy, "{\"config\":{}}"), HttpResponse.BodyHandlers.ofString()));
            assertNotStale(proxy.http.send(command(proxy, authorize), HttpResponse.BodyHandlers.ofString()));
            HttpRequest noCache = HttpRequest.newBuilder(command(proxy, MistCommands.GET_STATE), (n, v) -> true)
                                             .header("Cache-Control", "no-cache").build();
            assertNotStale(proxy.http.send(noCache, HttpResponse.BodyHandlers.ofString()));
            HttpResponse<String> control = proxy.http.send(command(proxy, MistCommands.GET_STATE),
                                                           HttpResponse.BodyHandlers.ofString());
            assertThat(control.headers().firstValue("Mistguard-Decision")).as("the same route does serve stale")
                                                                        .hasValue("stale; reason=timeout");
        }
    }

    @Test
    void writesCannotBeGivenStaleAndConfigReadCannotBeGivenAStore() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                routes:
                  - {name: nuke, match: {commands: [nuke_stream]}, kind: write, stale: {max_age: 5s}}
                  - {name: config-read, match: {command: '{"config":{}}'}, kind: read, fresh_for: 1s}
                  - {name: all, match: {}, kind: passthrough, coalesce: true}
                """, "t.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("routes[0].stale: only read routes")
                .hasMessageContaining("routes[1].fresh_for: {\"config\":{}} must never be answered from the cache")
                .hasMessageContaining("routes[2].coalesce: only read routes");
    }

    private static void assertNotStale(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.headers().firstValue("Mistguard-Decision")).hasValue("rejected; reason=timeout");
        assertThat(response.headers().firstValue("Cache-Status")).isEmpty();
    }
}
