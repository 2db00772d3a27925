package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.junit.SimMistExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regression (found by review): a {@code GET /ws} upgrade that reached for Mist and failed there
 * (connect refused, no answer in time, a reset) showed up in no metric: the open-tunnel gauge never
 * moved and the listener's refusal counter counts only mistguard's own refusals, so a Mist whose live
 * view was down could not be seen or alerted on. Every handshake that goes to Mist is now counted in
 * {@code mistguard_websocket_handshakes_total} by how it ended.
 */
class WebSocketHandshakeFailuresUnmeteredRegressionIT {

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(1, 1));

    private static final String UPGRADE = "GET /ws HTTP/1.1\r\nHost: mist\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    @Test
    void anUpgradeMistRefusesToConnectIsCounted() throws Exception {
        int nobody = LoopbackPorts.free();
        try (TestProxy proxy = TestProxy.inFrontOf(nobody, Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            assertThat(client.exchange(UPGRADE).status()).isEqualTo(502);

            Await.until("the failed handshake counted",
                    () -> scraped(proxy, "mistguard_websocket_handshakes_total{reason=\"connect-refused\"} 1.0"));
            assertThat(proxy.metrics()).contains("mistguard_websocket_handshakes_total{reason=\"proxied\"} 0.0");
        }
    }

    @Test
    void anUpgradeMistAcceptsIsCountedAsProxied() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            assertThat(client.exchangeHead(UPGRADE).status()).isEqualTo(101);

            Await.until("the handshake counted",
                    () -> scraped(proxy, "mistguard_websocket_handshakes_total{reason=\"proxied\"} 1.0"));
        }
    }

    private static boolean scraped(TestProxy proxy, String line) {
        try {
            return proxy.metrics().contains(line);
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
