package io.mistguard.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link SendCopy}: a copy whose sending consumes nothing of the original, without copying headers. */
class SendCopyTest {

    @Test
    void aCopyConsumedByAWriteLeavesTheWholeBodyForTheNextAttempt() {
        FullHttpRequest original = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api2",
                Unpooled.copiedBuffer("command=%7B%7D", StandardCharsets.US_ASCII));
        original.headers().set("Host", "mist");

        FullHttpRequest first = SendCopy.of(original);
        first.content().skipBytes(first.content().readableBytes()); // what a socket write does
        first.release();
        FullHttpRequest second = SendCopy.of(original);

        assertThat(second.content().toString(StandardCharsets.US_ASCII)).isEqualTo("command=%7B%7D");
        assertThat(second.method()).isEqualTo(HttpMethod.POST);
        assertThat(second.uri()).isEqualTo("/api2");
        assertThat(second.headers()).isSameAs(original.headers());
        assertThat(second.trailingHeaders()).isSameAs(original.trailingHeaders());
        assertThat(original.refCnt()).isEqualTo(2);
        second.release();
        assertThat(original.release()).isTrue();
    }
}
