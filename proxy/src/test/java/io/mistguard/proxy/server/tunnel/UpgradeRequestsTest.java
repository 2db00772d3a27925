package io.mistguard.proxy.server.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which requests are upgrades, which are refused, and the heads that go to Mist and to the caller. */
class UpgradeRequestsTest {

    static Stream<Arguments> upgrades() {
        return Stream.of(
                Arguments.of("websocket", HttpVersion.HTTP_1_1, "websocket", "Upgrade", true),
                Arguments.of("token among others", HttpVersion.HTTP_1_1, "websocket", "keep-alive, Upgrade", true),
                Arguments.of("token in capitals", HttpVersion.HTTP_1_1, "WebSocket", "UPGRADE", true),
                Arguments.of("another protocol is still an upgrade", HttpVersion.HTTP_1_1, "h2c", "Upgrade", true),
                Arguments.of("no Upgrade field", HttpVersion.HTTP_1_1, null, "Upgrade", false),
                Arguments.of("empty Upgrade field", HttpVersion.HTTP_1_1, "", "Upgrade", false),
                Arguments.of("Connection does not list upgrade", HttpVersion.HTTP_1_1, "websocket", "keep-alive",
                        false),
                Arguments.of("no Connection field", HttpVersion.HTTP_1_1, "websocket", null, false),
                Arguments.of("a token that only starts with upgrade", HttpVersion.HTTP_1_1, "websocket",
                        "upgrade-insecure-requests", false),
                Arguments.of("HTTP/1.0 must be ignored (RFC 9110 §7.8)", HttpVersion.HTTP_1_0, "websocket", "Upgrade",
                        false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("upgrades")
    void isUpgrade(String name, HttpVersion version, String upgrade, String connection, boolean expected) {
        FullHttpRequest request = new DefaultFullHttpRequest(version, HttpMethod.GET, "/ws");
        if (upgrade != null) {
            request.headers().set("Upgrade", upgrade);
        }
        if (connection != null) {
            request.headers().set("Connection", connection);
        }
        assertThat(UpgradeTunnel.isUpgrade(request)).isEqualTo(expected);
        request.release();
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("h2c", HttpMethod.GET, "", 501, "upgrade-unsupported"),
                Arguments.of("websocket", HttpMethod.POST, "", 400, "bad-upgrade"),
                Arguments.of("websocket", HttpMethod.GET, "body", 400, "bad-upgrade"),
                Arguments.of("websocket", HttpMethod.GET, "", 0, null));
    }

    @ParameterizedTest(name = "{0} {1} body=\"{2}\" -> {3}")
    @MethodSource("refusals")
    void refusal(String protocol, HttpMethod method, String body, int status, String reason) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/ws",
                Unpooled.copiedBuffer(body.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        request.headers().set("Upgrade", protocol).set("Connection", "Upgrade");
        UpgradeRequests.Refusal refusal = UpgradeRequests.refusal(request);
        if (reason == null) {
            assertThat(refusal).isNull();
        } else {
            assertThat(refusal.status().code()).isEqualTo(status);
            assertThat(refusal.decision().token()).isEqualTo(reason);
        }
        request.release();
    }

    @Test
    void towardsMistKeepsTheUpgradeAndDropsOtherHopByHopFields() {
        EmbeddedChannel client = new EmbeddedChannel();
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "/ws?logs=100&streams=1", UnpooledByteBufAllocator.DEFAULT.buffer(0));
        request.headers()
                .add("Connection", "keep-alive, Upgrade, X-Private")
                .add("Connection", "Sec-WebSocket-Extensions")
                .set("Upgrade", "websocket").set("Sec-WebSocket-Key", "k").set("Sec-WebSocket-Version", "13")
                .set("Sec-WebSocket-Extensions", "permessage-deflate").set("X-Private", "secret")
                .set("Keep-Alive", "timeout=5").set("TE", "trailers").set("Proxy-Connection", "keep-alive")
                .set("Content-Length", "0").set("Host", "mist");

        FullHttpRequest upstream = UpgradeRequests.towardsMist(request, client,
                (ch, headers) -> headers.set("X-Real-IP", "192.0.2.7"));

        assertThat(request.refCnt()).isZero();
        assertThat(upstream.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(upstream.uri()).isEqualTo("/ws?logs=100&streams=1");
        assertThat(upstream.headers().getAll("Connection")).containsExactly("Upgrade");
        assertThat(upstream.headers().get("Upgrade")).isEqualTo("websocket");
        assertThat(upstream.headers().get("Sec-WebSocket-Key")).isEqualTo("k");
        assertThat(upstream.headers().get("Sec-WebSocket-Version")).isEqualTo("13");
        assertThat(upstream.headers().get("Sec-WebSocket-Extensions")).isEqualTo("permessage-deflate");
        assertThat(upstream.headers().get("Host")).isEqualTo("mist");
        assertThat(upstream.headers().get("X-Real-IP")).isEqualTo("192.0.2.7");
        assertThat(upstream.headers().names()).map(String::toLowerCase)
                .doesNotContain("x-private", "keep-alive", "te", "proxy-connection", "content-length");
        upstream.release();
        assertThat(client.finishAndReleaseAll()).isFalse();
    }

    @Test
    void declinedAnswerIsFramedForAConnectionThatCloses() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.FORBIDDEN,
                ByteBufUtil.writeAscii(UnpooledByteBufAllocator.DEFAULT, "no"));
        response.headers().set("Connection", "keep-alive, X-Hop").set("X-Hop", "1").set("Upgrade", "websocket")
                .set("Content-Length", "999").set("X-Mist", "kept");

        FullHttpResponse framed = UpgradeResponses.declined(response);

        assertThat(framed.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(framed.headers().get("Content-Length")).isEqualTo("2");
        assertThat(framed.headers().getAll("Connection")).containsExactly("close");
        assertThat(framed.headers().get("Mistguard-Decision")).isEqualTo("proxied");
        assertThat(framed.headers().get("X-Mist")).isEqualTo("kept");
        assertThat(framed.headers().contains("X-Hop")).isFalse();
        assertThat(framed.headers().contains("Upgrade")).isFalse();
        framed.release();
    }

    @Test
    void switchingAnswerKeepsItsFieldsAndLosesTheAggregatorsLength() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.SWITCHING_PROTOCOLS, Unpooled.EMPTY_BUFFER);
        response.headers().set("Upgrade", "websocket").set("Connection", "Upgrade")
                .set("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=").set("Content-Length", "0");

        FullHttpResponse framed = UpgradeResponses.switching(response);

        assertThat(framed.headers().get("Upgrade")).isEqualTo("websocket");
        assertThat(framed.headers().get("Connection")).isEqualTo("Upgrade");
        assertThat(framed.headers().get("Sec-WebSocket-Accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assertThat(framed.headers().contains("Content-Length")).isFalse();
        assertThat(framed.headers().get("Mistguard-Decision")).isEqualTo("proxied");
    }
}
