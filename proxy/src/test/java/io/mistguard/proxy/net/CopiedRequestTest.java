package io.mistguard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link CopiedRequest}: a copy takes the line and parts as they are and does not check the line again
 * (the fault: every copy on the way to Mist re-checked a line Netty had checked where it came in).
 */
class CopiedRequestTest {

    @Test
    void aCopiedRequestLineIsNotCheckedAgain() {
        // Netty's own constructor refuses this line; a copy does not look at it.
        assertThatThrownBy(() -> new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/a b"))
                .isInstanceOf(IllegalArgumentException.class);

        FullHttpRequest copy = CopiedRequest.of(HttpVersion.HTTP_1_1, HttpMethod.GET, "/a b", Unpooled.EMPTY_BUFFER,
                DefaultHttpHeadersFactory.headersFactory().newHeaders(),
                DefaultHttpHeadersFactory.trailersFactory().newHeaders());

        assertThat(copy.uri()).isEqualTo("/a b");
        copy.release();
    }

    @Test
    void aCopyKeepsTheLineAndUsesTheGivenPartsAsTheyAre() {
        FullHttpRequest original = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.POST, "/api2?x=1",
                Unpooled.copiedBuffer("command=%7B%7D", StandardCharsets.US_ASCII));
        original.headers().set("Host", "mist");
        HttpHeaders headers = original.headers();

        FullHttpRequest copy = CopiedRequest.of(original.protocolVersion(), original.method(), original.uri(),
                original.content(), headers, original.trailingHeaders());

        assertThat(copy.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_0);
        assertThat(copy.method()).isEqualTo(HttpMethod.POST);
        assertThat(copy.uri()).isSameAs(original.uri());
        assertThat(copy.headers()).isSameAs(headers);
        assertThat(copy.trailingHeaders()).isSameAs(original.trailingHeaders());
        assertThat(copy.content()).isSameAs(original.content());
        assertThat(copy.release()).isTrue(); // the copy took the content over
    }
}
