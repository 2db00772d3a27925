package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.junit.SimMistExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regression (found by review): an {@code invalidate_sessions} command was queued on any path. Mist
 * picks its Prometheus passphrase path ({@code /koekjes}, {@code /koekjes.json…}) and {@code /ws}
 * before it reads any command, and answers those without running it; so a request that Mist would
 * have answered with its stats set off an invalidation (a {@code USER_NEW} burst per viewer) and got
 * an API reply Mist would never give. mistguard does not know the passphrase, so only Mist's API
 * paths ({@code /}, {@code /api}, {@code /api2}) are queued; any other goes to Mist, which decides.
 */
class InvalidationQueuedOffMistsApiPathsRegressionIT {

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(1, 1));

    @Test
    void aCommandOnThePrometheusPathGetsMistsStatsAndIsNotQueued() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            long acceptedBefore = proxy.mistguard.invalidationStats().accepted();
            String command = URLEncoder.encode("{\"invalidate_sessions\":\"video+stream0\"}", StandardCharsets.UTF_8);

            RawHttpConnection.Response answer = client.exchange(
                    "GET /koekjes.json?command=" + command + " HTTP/1.1\r\nHost: mist\r\n\r\n");

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.header("Mistguard-Decision")).isEqualTo("proxied");
            assertThat(answer.body()).doesNotContain("\"authorize\"");
            assertThat(proxy.mistguard.invalidationStats().accepted()).as("not queued").isEqualTo(acceptedBefore);
        }
    }

    @Test
    void theSameCommandOnAnApiPathIsStillQueued() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            for (String path : new String[] {"/", "/api", "/api2"}) {
                RawHttpConnection.Response answer = client.exchange(
                        RawHttpConnection.formCommand(path, "{\"invalidate_sessions\":\"video+stream0\"}"));
                assertThat(answer.header("Mistguard-Decision")).as(path).isEqualTo("queued");
            }
        }
    }
}
