package io.mistguard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression: Netty's request decoder gives a {@code GET} with both {@code Sec-WebSocket-Key1} and
 * {@code Sec-WebSocket-Key2} and no {@code Content-Length} a body of 8 bytes (the Hixie-76 handshake's
 * key3, {@code HttpUtil.getWebSocketContentLength}). {@link WholeRequestParser} took such a request as
 * bodyless, so the 8 bytes after its head became the start of the next request: the same bytes were
 * framed differently with the parser than without it (RFC 9112 §6, §11.2).
 */
class WholeRequestParserWebSocketKeyBodyRegressionTest {

    private static final String HIXIE_HEAD = "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: WebSocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
            + "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n";

    @Test
    void theEightBytesAfterTheHeadAreItsBodyAsWithoutTheParser() {
        String stream = HIXIE_HEAD + "GET /x H" + "TTP/1.1\r\nHost: localhost\r\n\r\n";
        assertSame(stream);
    }

    @Test
    void aSmuggledRequestInTheEightBytesIsNotReadAsARequest() {
        String stream = "GET /api HTTP/1.1\r\nHost: a\r\nsec-websocket-key1: 1\r\nSEC-WEBSOCKET-KEY2: 2\r\n\r\n"
                + "GET /a\r\n" + "DELETE /api/stream HTTP/1.1\r\nHost: a\r\n\r\n";
        assertSame(stream);
    }

    @Test
    void withTheBodyInALaterRead() {
        byte[] bytes = (HIXIE_HEAD + "^n:ds[4U" + "GET / HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        List<String> reference = WholeRequestDifferential.run(false, 4096, 8192, bytes, HIXIE_HEAD.length());
        List<String> parsed = WholeRequestDifferential.run(true, 4096, 8192, bytes, HIXIE_HEAD.length());
        assertThat(parsed).isEqualTo(reference);
    }

    private static void assertSame(String stream) {
        byte[] bytes = stream.getBytes(StandardCharsets.US_ASCII);
        List<String> reference = WholeRequestDifferential.run(false, 4096, 8192, bytes);
        List<String> parsed = WholeRequestDifferential.run(true, 4096, 8192, bytes);
        assertThat(parsed).isEqualTo(reference);
    }
}
