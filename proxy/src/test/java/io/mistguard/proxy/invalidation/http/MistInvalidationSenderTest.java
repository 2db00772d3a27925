package io.mistguard.proxy.invalidation.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The request the sender builds and how Mist's replies are judged ({@link MistReplies}). */
class MistInvalidationSenderTest {

    @Test
    void batchIsOneFormEncodedArrayCommandToApi2WithoutForwardingHeaders() {
        FullHttpRequest request = MistInvalidationSender.request(new UnpooledByteBufAllocator(false),
                "127.0.0.1:4242", List.of("video+a", "we\"ird\\name"));
        try {
            assertThat(request.method().name()).isEqualTo("POST");
            assertThat(request.uri()).isEqualTo("/api2");
            assertThat(request.headers().get("Host")).isEqualTo("127.0.0.1:4242");
            assertThat(request.headers().get("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
            assertThat(request.headers().names()).doesNotContain("X-Real-IP", "X-Forwarded-For");
            String body = request.content().toString(StandardCharsets.US_ASCII);
            assertThat(request.headers().getInt("Content-Length")).isEqualTo(body.length());
            String command = new QueryStringDecoder(body, false).parameters().get("command").get(0);
            assertThat(command).isEqualTo("{\"invalidate_sessions\":[\"video+a\",\"we\\\"ird\\\\name\"]}");
        } finally {
            request.release();
        }
    }

    static Stream<Arguments> replies() {
        return Stream.of(
                Arguments.of(200, "{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"}}\n\n", null),
                Arguments.of(200, "{\"config\":{\"a\":[1,{\"status\":\"x\"}]},\"authorize\":{\"status\":\"OK\"}}", null),
                Arguments.of(200, "{\"authorize\":{\"challenge\":\"ab\",\"status\":\"CHALL\"}}",
                        "authorize.status CHALL"),
                Arguments.of(200, "{\"authorize\":{\"status\":\"NOACC\"}}", "authorize.status NOACC"),
                Arguments.of(200, "{\"LTS\":1}", "authorize.status missing"),
                Arguments.of(200, "<html>web UI</html>", "authorize.status missing"),
                Arguments.of(200, "{\"authorize\":{\"status\":1}}", "authorize.status missing"),
                Arguments.of(500, "{\"authorize\":{\"status\":\"OK\"}}", "HTTP 500"));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("replies")
    void onlyA200WithAuthorizeStatusOkIsSuccess(int status, String body, String problem) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        try {
            assertThat(MistReplies.problem(response)).isEqualTo(problem);
            assertThat(response.content().readerIndex()).as("body not consumed").isZero();
        } finally {
            response.release();
        }
    }
}
