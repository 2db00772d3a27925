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

    /**
     * Found by the fresh review of the day's work: the README said the admin listener reads requests
     * by the proxy's rules, but it took a body still gzip-coded under {@code gzip, chunked} (a reload
     * was applied), a target with a fragment, and answered an absolute-form target 404. It now asks
     * {@code InvalidRequest}, as the proxy's port and the trigger listener do.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "a coding left over chunked|POST /admin/reload HTTP/1.1\\r\\nHost: localhost\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n0\\r\\n\\r\\n|HTTP/1.1 400 Bad Request|unsupported Transfer-Encoding: gzip",
            "a fragment|GET /healthz#x HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n|HTTP/1.1 400 Bad Request|fragment",
            "CONNECT|CONNECT /healthz HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n|HTTP/1.1 405 Method Not Allowed|allow: GET, HEAD, POST",
            "an absolute-form target|GET http://localhost/healthz HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n|HTTP/1.1 200 OK|ok"})
    void anAdminRequestIsReadAsTheProxysPortReadsIt(String name, String raw, String statusLine, String part) {
        EmbeddedChannel channel = listener();
        channel.writeInbound(Unpooled.copiedBuffer(raw.replace("\\r\\n", "\r\n"), StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
        String out = readAll(channel);
        assertThat(out).startsWith(statusLine + "\r\n").containsIgnoringCase(part);
        assertFalse(channel.finishAndReleaseAll());
    }

    private static EmbeddedChannel listener() {
        return EmbeddedChannel.builder().ticker(Ticker.newMockTicker())
                .handlers(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        AdminServer.addHandlers(ch.pipeline(), new AdminHandler(new TestAdminBackend(), "secret"));
                    }
                }).build();
    }

    private static String readAll(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        ByteBuf piece;
        while ((piece = channel.readOutbound()) != null) {
            out.append(piece.toString(StandardCharsets.ISO_8859_1));
            piece.release();
        }
        return out.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.mistguard.proxy.net.AmbiguousFramingCases#cases")
    void anAdminRequestWithAmbiguousFramingIsRefusedWithItsReason(String name, String raw, String status,
                                                                   String reason) {
        EmbeddedChannel channel = listener();
        channel.writeInbound(Unpooled.copiedBuffer(raw.formatted("POST /healthz"), StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
        String out = readAll(channel);
        assertThat(out).startsWith("HTTP/1.1 " + status + "\r\n").contains(reason)
                .containsIgnoringCase("connection: close");
        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finishAndReleaseAll());
    }
}
