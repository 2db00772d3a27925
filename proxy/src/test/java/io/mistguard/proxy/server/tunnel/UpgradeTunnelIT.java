package io.mistguard.proxy.server.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.Await;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.net.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Established tunnels over loopback: the JDK's WebSocket client talks through {@link TestFront} (the
 * proxy's client pipeline, by name) and an {@link UpgradeTunnel} to a Netty WebSocket server standing
 * in for Mist's {@code /ws}.
 */
class UpgradeTunnelIT {

    private static final String WS_PATH = "/ws?logs=100&streams=1";
    private static final Transport NIO = Transport.nio();
    private static final Transport BEST = Transport.best();
    private static EventLoopGroup nioGroup;
    private static EventLoopGroup bestGroup;
    private static HttpClient http;

    private WebSocketUpstream mist;
    private TestFront front;
    private UpgradeTunnel tunnel;

    @BeforeAll
    static void startLoops() {
        nioGroup = NIO.newGroup(2, "tunnel-test-nio");
        bestGroup = BEST.newGroup(2, "tunnel-test-" + BEST.name());
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stopLoops() throws InterruptedException {
        nioGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        bestGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (tunnel != null) {
            Await.until("every tunnel closed", () -> tunnel.openTunnels() == 0);
        }
        if (front != null) {
            front.close();
        }
        if (mist != null) {
            Await.until("every connection to Mist closed", () -> mist.closed.get() == mist.opened.get());
            mist.close();
        }
    }

    static Stream<String> transports() {
        return Stream.of("nio", BEST.name()).distinct();
    }

    private void start(String transport, UnaryOperator<TunnelSettings> adjust, boolean fullPipeline)
            throws InterruptedException {
        Transport t = transport.equals("nio") ? NIO : BEST;
        EventLoopGroup group = transport.equals("nio") ? nioGroup : bestGroup;
        mist = WebSocketUpstream.start(group, t);
        tunnel = new UpgradeTunnel(adjust.apply(TunnelSettings.defaults("127.0.0.1", mist.port(), t)));
        front = TestFront.start(group, t, tunnel, fullPipeline);
    }

    private WebSocket connect(WsRecorder recorder) throws Exception {
        return http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + front.port() + WS_PATH), recorder)
                .get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void greetingAndEchoCrossTheTunnel(String transport) throws Exception {
        start(transport, s -> s.withExtraHeaders((client, headers) -> headers.set("X-Real-IP",
                ((InetSocketAddress) client.remoteAddress()).getAddress().getHostAddress())), true);
        WsRecorder recorder = new WsRecorder();
        WebSocket ws = connect(recorder);

        assertThat(recorder.next()).isEqualTo(WebSocketUpstream.GREETING);
        ws.sendText("ping", true).get(10, TimeUnit.SECONDS);
        assertThat(recorder.next()).isEqualTo("ping");
        assertThat(tunnel.openTunnels()).isEqualTo(1);
        HandshakeOutcome outcome = front.nextOutcome();
        assertThat(outcome.upgraded()).isTrue();
        assertThat(outcome.decision()).isEqualTo(Decision.PROXIED);

        assertThat(mist.handshakes.get(0).requestUri()).isEqualTo(WS_PATH);
        HttpHeaders seen = mist.lastHandshakeHeaders();
        assertThat(seen.get("Upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(seen.get("Connection")).isEqualTo("Upgrade");
        assertThat(seen.get("Sec-WebSocket-Key")).isNotBlank();
        assertThat(seen.get("Sec-WebSocket-Version")).isEqualTo("13");
        assertThat(seen.get("X-Real-IP")).isEqualTo("127.0.0.1");

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        assertThat(recorder.ended()).isTrue();
        assertThat(recorder.closed).isCompletedWithValue(WebSocket.NORMAL_CLOSURE);
        Await.until("Mist's side closed", () -> mist.closed.get() == 1);
        Await.until("the tunnel closed", () -> tunnel.openTunnels() == 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void callerDisconnectingIsSeenByMist(String transport) throws Exception {
        start(transport, UnaryOperator.identity(), true);
        WsRecorder recorder = new WsRecorder();
        WebSocket ws = connect(recorder);
        assertThat(recorder.next()).isEqualTo(WebSocketUpstream.GREETING);

        ws.abort(); // TCP close, no close frame
        Await.until("Mist's side closed", () -> mist.closed.get() == 1);
        Await.until("the tunnel closed", () -> tunnel.openTunnels() == 0);
    }

    @Test
    void largeMessagesCrossWithBackPressureInBothDirections() throws Exception {
        start("nio", UnaryOperator.identity(), true);
        WsRecorder recorder = new WsRecorder();
        WebSocket ws = connect(recorder);
        assertThat(recorder.next()).isEqualTo(WebSocketUpstream.GREETING);

        String big = "0123456789abcdef".repeat(48 * 1024); // 768 KiB: many reads and writes each way
        for (int i = 0; i < 3; i++) {
            ws.sendText(big, true).get(10, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 3; i++) {
            String echo = recorder.next();
            assertThat(echo.equals(big)).as("echo %d: %d chars, equal to what was sent", i, echo.length()).isTrue();
        }
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        assertThat(recorder.ended()).isTrue();
    }

    @Test
    void worksWhereTheOptionalHandlersAreMissingAndAutoReadIsOn() throws Exception {
        start("nio", UnaryOperator.identity(), false);
        WsRecorder recorder = new WsRecorder();
        WebSocket ws = connect(recorder);

        assertThat(recorder.next()).isEqualTo(WebSocketUpstream.GREETING);
        ws.sendText("ping", true).get(10, TimeUnit.SECONDS);
        assertThat(recorder.next()).isEqualTo("ping");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        assertThat(recorder.ended()).isTrue();
        Await.until("Mist's side closed", () -> mist.closed.get() == 1);
    }

    @Test
    void secondTunnelPastTheLimitIsRefusedWhileTheFirstStaysUp() throws Exception {
        start("nio", s -> s.withLimits(s.maxResponseBytes(), 1), true);
        WsRecorder first = new WsRecorder();
        WebSocket ws = connect(first);
        assertThat(first.next()).isEqualTo(WebSocketUpstream.GREETING);

        try (RawClient second = new RawClient(front.port())) {
            String answer = second.send(RawClient.upgrade(WS_PATH, "")).readToEnd();
            assertThat(answer).startsWith("HTTP/1.1 503 Service Unavailable\r\n")
                    .containsIgnoringCase("Mistguard-Decision: rejected; reason=too-many-tunnels")
                    .containsIgnoringCase("Retry-After: 1")
                    .containsIgnoringCase("connection: close");
        }
        assertThat(front.nextOutcome().upgraded()).isTrue();
        assertThat(front.nextOutcome().status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        ws.sendText("still here", true).get(10, TimeUnit.SECONDS);
        assertThat(first.next()).isEqualTo("still here");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        assertThat(first.ended()).isTrue();
    }
}
