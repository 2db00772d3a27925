package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.TrustedPeers;
import io.mistguard.sim.junit.SimMistExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regression (issue: "Mist's web UI live view ({@code /ws}) works through mistguard"): a browser-style
 * {@code GET /ws?logs=100&streams=1} with {@code Upgrade: websocket} had {@code Upgrade} and
 * {@code Connection} stripped, Mist hung up and the caller got 502. Driven with the JDK's WebSocket
 * client against sim-mist's {@code /ws}, whose first frame is the connection's {@code authorize}
 * object, so each test also shows the trust rules at work.
 */
class WebSocketLiveViewRegressionIT {

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(1, 1));

    @Test
    void localCallersLiveViewIsTunnelledAndAuthorisedAsLocal() throws Exception {
        MIST.get().state().log("INFO", "hello from Mist");
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5))) {
            Frames frames = new Frames();
            WebSocket socket = open(proxy, frames, null);
            assertThat(frames.next()).contains("\"authorize\"").contains("\"local\":true").contains("\"OK\"");
            assertThat(frames.next()).contains("hello from Mist");
            assertThat(proxy.mistguard.proxyAddress()).isNotNull();
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            assertThat(MIST.get().recording().awaitWebSocketsClosed(1, Duration.ofSeconds(5)))
                    .as("the tunnel's Mist side closes with the caller").isTrue();
            assertThat(MIST.get().recording().webSocketsOpened()).isEqualTo(1);
        }
    }

    @Test
    void forwardedCallersLiveViewGetsTheChallengeAsAtMist() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5))) {
            Frames frames = new Frames();
            WebSocket socket = open(proxy, frames, "203.0.113.7");
            assertThat(frames.next()).contains("\"CHALL\"").doesNotContain("\"local\"");
            socket.abort();
        }
    }

    @Test
    void untrustedPeersLiveViewIsMarkedRemote() throws Exception {
        try (TestProxy proxy = TestProxy.start(TestProxy.config(MIST.get().port(), Duration.ofSeconds(5))
                .withTrustedPeers(new TrustedPeers(List.of())))) {
            Frames frames = new Frames();
            WebSocket socket = open(proxy, frames, null);
            assertThat(frames.next()).contains("\"CHALL\"");
            assertThat(MIST.get().recording().requests()).anySatisfy(r ->
                    assertThat(r.headers()).containsEntry("x-real-ip", "127.0.0.1"));
            socket.abort();
        }
    }

    /**
     * Found by review: upgrade headers on any path sent the request through the tunnel, past the
     * route table; with the breaker forced open, a nuke_stream carrying them reached Mist and ran.
     * Only {@code GET /ws} is Mist's WebSocket; anything else takes its route.
     */
    @Test
    void upgradeHeadersOnAnApiPathDoNotBypassTheRouteTableRegression() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            assertThat(proxy.http.send(java.net.http.HttpRequest.newBuilder(
                    proxy.adminUri("/admin/breakers/mist/force-open?for=60s")).POST(
                    java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            RawHttpConnection.Response answer = client.exchange(
                    "GET /api2?command=%7B%22nuke_stream%22%3A%22video%2Bstream0%22%7D HTTP/1.1\r\nHost: mist\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n");
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.header("Mistguard-Decision")).isEqualTo("rejected; reason=breaker-open");
            assertThat(MIST.get().recording().executedCount("nuke_stream")).isZero();
            assertThat(MIST.get().recording().webSocketsOpened()).isZero();
        }
    }

    /** Found by review: Mist decodes its URL before it compares it with /ws, so /%77s is its WebSocket too. */
    @Test
    void aPercentEncodedWsPathIsTunnelledAsMistDecodesItRegression() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            client.send("GET /%77s HTTP/1.1\r\nHost: mist\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            RawHttpConnection.Response switched = client.readHead();
            assertThat(switched.status()).isEqualTo(101);
            assertThat(MIST.get().recording().requests().get(0).headers()).containsKey("upgrade");
        }
    }

    /** The same request without the forced breaker reaches Mist as an API call, Upgrade stripped. */
    @Test
    void upgradeHeadersOnAnApiPathMakeAnOrdinaryApiCall() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            RawHttpConnection.Response answer = client.exchange(
                    "GET /api2?command=%7B%22active_streams%22%3Atrue%7D HTTP/1.1\r\nHost: mist\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n");
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).contains("active_streams");
            assertThat(MIST.get().recording().requests().get(0).headers()).doesNotContainKey("upgrade");
        }
    }

    @Test
    void tunnelOutlivesTheRouteBudgetAndCountsAsOpen() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofMillis(300))) {
            Frames frames = new Frames();
            WebSocket socket = open(proxy, frames, null);
            assertThat(frames.next()).contains("\"OK\"");
            Thread.sleep(600); // twice the route budget: a tunnel is outside every budget
            assertThat(socket.isInputClosed()).isFalse();
            assertThat(proxy.mistguard.scrape()).contains("mistguard_websocket_tunnels_open 1.0");
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Regression (found by attacking this work): a WebSocket client that closed with a plain FIN left
     * its tunnel, and its connection to Mist, open until the idle timeout (5 min), so 64 of them
     * locked everyone out with 503 too-many-tunnels.
     */
    @Test
    void clientFinClosesTheTunnelAndItsConnectionToMist() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             java.net.Socket socket = new java.net.Socket("127.0.0.1", proxy.mistguard.proxyAddress().getPort())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET /ws?logs=1 HTTP/1.1\r\nHost: mist\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            byte[] head = new byte[12];
            assertThat(socket.getInputStream().readNBytes(head, 0, 12)).isEqualTo(12);
            assertThat(new String(head, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 101");
            socket.shutdownOutput();
            assertThat(MIST.get().recording().awaitWebSocketsClosed(1, Duration.ofSeconds(5)))
                    .as("Mist's side closes with the caller's FIN, not at the idle timeout").isTrue();
        }
    }

    private static WebSocket open(TestProxy proxy, Frames frames, String forwardedFor) throws Exception {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5));
        if (forwardedFor != null) {
            builder.header("X-Forwarded-For", forwardedFor);
        }
        URI uri = URI.create("ws://127.0.0.1:" + proxy.mistguard.proxyAddress().getPort() + "/ws?logs=100&streams=1");
        return builder.buildAsync(uri, frames).get(10, TimeUnit.SECONDS);
    }

    /** Collects whole text messages. */
    private static final class Frames implements WebSocket.Listener {
        private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        String next() throws InterruptedException {
            String message = messages.poll(10, TimeUnit.SECONDS);
            assertThat(message).as("a frame within 10 s").isNotNull();
            return message;
        }
    }
}
