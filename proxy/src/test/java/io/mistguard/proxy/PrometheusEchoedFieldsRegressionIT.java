package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.sim.junit.SimMistExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault "a stored answer carries another caller's request fields", over real loopback sockets
 * with the shipped route table in front of sim-mist: Mist echoes every request field in its
 * Prometheus answers, and the cache was keyed by only three of them, so within {@code fresh_for} a
 * second caller got the first caller's {@code Cookie} (and a {@code Set-Cookie} it had sent) back.
 */
class PrometheusEchoedFieldsRegressionIT {

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(1, 1));

    @Test
    void aStoredPrometheusAnswerNeverCarriesAnotherCallersFieldsRegression() throws Exception {
        ProxyConfig shipped = ConfigLoader.load(Path.of("..", "deploy", "mistguard.yaml"));
        try (TestProxy proxy = TestProxy.start(PolicyProxies.onLoopback(shipped, MIST.get().port()));
             RawHttpConnection alice = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort());
             RawHttpConnection bob = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            RawHttpConnection.Response first = alice.exchange("GET /koekjes.json HTTP/1.1\r\nHost: mist\r\n"
                    + "Cookie: session=ALICE-SECRET\r\nSet-Cookie: pwn=1\r\n\r\n");
            assertThat(first.header("Cookie")).as("Mist echoes it to its own caller").isEqualTo("session=ALICE-SECRET");

            RawHttpConnection.Response second = bob.exchange("GET /koekjes.json HTTP/1.1\r\nHost: mist\r\n\r\n");
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.header("Cookie")).isNull();
            assertThat(second.header("Set-Cookie")).isNull();

            RawHttpConnection.Response again = bob.exchange("GET /koekjes.json HTTP/1.1\r\nHost: mist\r\n\r\n");
            assertThat(again.header("Mistguard-Decision")).as("the same caller's fields still share a stored answer")
                    .isEqualTo("cached");
        }
    }
}
