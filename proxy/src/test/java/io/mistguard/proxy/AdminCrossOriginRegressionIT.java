package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.SimMist;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Regression: the admin listener (no token by default, on loopback) obeyed a browser's cross-site
 * {@code POST}, so any web page open on the host could force the breaker open or reload the config.
 * Now another origin's requests get 403 and change nothing; tools and same-origin requests still work.
 */
class AdminCrossOriginRegressionIT {

    private static final String YAML = """
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
    void anotherSitesPageCannotForceTheBreakerOpen() throws Exception {
        try (SimMist mist = SimMist.builder().start(); TestProxy proxy = PolicyProxies.start(YAML, mist.port())) {
            HttpResponse<String> forged = post(proxy, "/admin/breakers/mist/force-open?for=1h", "Origin",
                                               "http://evil.example");
            assertThat(forged.statusCode()).isEqualTo(403);
            assertThat(forged.body()).contains("cross-origin request refused");
            assertThat(forged.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            assertThat(post(proxy, "/admin/reload", "Sec-Fetch-Site", "cross-site").statusCode()).isEqualTo(403);
            assertThat(proxy.mistguard.policies().breaker("mist").forced()).isEqualTo("none");

            String own = "http://" + proxy.adminUri("/").getAuthority();
            assertThat(post(proxy, "/admin/breakers/mist/force-open?for=1s", "Origin", own).statusCode())
                    .as("the listener's own origin").isEqualTo(200);
            assertThat(post(proxy, "/admin/breakers/mist/clear", "User-Agent", "curl/8").statusCode())
                    .as("a tool sends no Origin").isEqualTo(200);
            HttpResponse<String> probe = proxy.http.send(HttpRequest.newBuilder(proxy.adminUri("/healthz"))
                    .header("Origin", "http://evil.example").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(probe.statusCode()).as("probes answer anyone").isEqualTo(200);
        }
    }

    private static HttpResponse<String> post(TestProxy proxy, String path, String header, String value)
            throws Exception {
        return proxy.http.send(HttpRequest.newBuilder(proxy.adminUri(path)).header(header, value)
                                       .POST(HttpRequest.BodyPublishers.noBody()).build(),
                               HttpResponse.BodyHandlers.ofString());
    }
}
