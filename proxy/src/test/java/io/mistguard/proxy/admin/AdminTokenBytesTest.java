package io.mistguard.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression (issue 16's review): an admin token with non-ASCII characters never matched. The HTTP
 * decoder hands over each byte of a field value as one char (ISO-8859-1), and the check re-encoded
 * those chars as UTF-8, doubling every byte above 0x7F; a client sending the token's UTF-8 bytes,
 * as curl and Prometheus do, was refused with 401. Driven through the real decoder, bytes on the wire.
 */
class AdminTokenBytesTest {

    private static final String TOKEN = "pässwörd-€";

    private final EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(4096),
            new AdminHandler(new TestAdminBackend(), TOKEN));

    @AfterEach
    void noLeaks() {
        assertFalse(channel.finishAndReleaseAll());
    }

    private String statusLine(byte[] token) {
        byte[] head = "GET /admin/breakers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                .getBytes(StandardCharsets.US_ASCII);
        ByteBuf wire = Unpooled.buffer().writeBytes(head).writeBytes(token)
                .writeBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        channel.writeInbound(wire);
        StringBuilder out = new StringBuilder();
        for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.substring(0, out.indexOf("\r\n"));
    }

    @Test
    void aNonAsciiTokenSentAsItsUtf8BytesIsAccepted() {
        assertThat(statusLine(TOKEN.getBytes(StandardCharsets.UTF_8))).isEqualTo("HTTP/1.1 200 OK");
    }

    @Test
    void theSameCharactersInAnotherEncodingAreRefused() {
        assertThat(statusLine("pässwörd-".getBytes(StandardCharsets.ISO_8859_1))).startsWith("HTTP/1.1 401");
    }
}
