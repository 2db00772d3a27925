package io.mistguard.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Found by review: the proxy listener refused requests whose framing or version two parsers could
 * read two ways, but the admin listener kept Netty's lenient defaults: it answered {@code http/1.1}
 * and {@code HTTP/2.0} as if they were HTTP/1.1, dropped a {@code Content-Length} beside
 * {@code Transfer-Encoding: chunked} and kept the connection (RFC 9112 §6.1 says close it), unfolded
 * continuation lines, and said only "bad request" of what it did refuse. Now each is refused with the
 * proxy listener's status and reason, and the connection closed. The listener's own pipeline
 * ({@link AdminServer#addHandlers}) on an {@link EmbeddedChannel}.
 */
class AdminAmbiguousFramingRegressionTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.mistguard.proxy.net.AmbiguousFramingCases#cases")
    void anAdminRequestWithAmbiguousFramingIsRefusedWithItsReason(String name, String raw, String status,
                                                                   String reason) {
        EmbeddedChannel channel = EmbeddedChannel.builder().ticker(Ticker.newMockTicker())
                .handlers(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        AdminServer.addHandlers(ch.pipeline(), new AdminHandler(new TestAdminBackend(), "secret"));
                    }
                }).build();
        channel.writeInbound(Unpooled.copiedBuffer(raw.formatted("POST /healthz"), StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
        StringBuilder out = new StringBuilder();
        ByteBuf piece;
        while ((piece = channel.readOutbound()) != null) {
            out.append(piece.toString(StandardCharsets.ISO_8859_1));
            piece.release();
        }
        assertThat(out.toString()).startsWith("HTTP/1.1 " + status + "\r\n").contains(reason)
                .containsIgnoringCase("connection: close");
        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finishAndReleaseAll());
    }
}
