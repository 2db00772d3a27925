package io.mistguard.proxy.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Reads a request without a body in one pass when its head is whole in the bytes already read and
 * of the plainest form HTTP/1.1 has: the usual shape of a caller's {@code GET}. It gives the same
 * {@link FullHttpRequest} that {@link StrictRequestDecoder} makes of those bytes — method, target,
 * fields in order with the same names and values, no content — without Netty's decoder state
 * machine and line copies. The profile that called for it: request decoding cost about 0.7 µs of
 * user time per small GET, of about 10 µs for everything mistguard does per request
 * (deploy/bench/FINDINGS.md).
 *
 * <p>Taken: a request line {@code token SP target SP "HTTP/1.1" CRLF} whose target holds only
 * visible ASCII (RFC 9112 §3), then {@link PlainFieldLines}' plain field lines without
 * {@code Transfer-Encoding}, {@code Expect} or {@code Sec-WebSocket-Key1}/{@code Key2} (Hixie-76, see
 * {@link #DECLINED}), with no {@code Content-Length} or {@code Content-Length: 0},
 * and the empty line; the whole head within {@code maxHeadBytes}. Anything else is declined, nothing
 * consumed, and left to the decoder and its rules: leading CRLFs, other versions, obs-fold, bare CR
 * or LF, whitespace before a colon, control bytes, a body, and every framing question. Not
 * thread-safe: one instance per decoder; event loop only (its scratch is the thread's).
 */
final class WholeRequestParser {

    private static final byte[] VERSION_AND_CRLF = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);

    private final HttpHeadersFactory headersFactory;
    /** The largest head taken: under the decoder's limits on the request line and on the fields. */
    private final int maxHeadBytes;
    /**
     * Declined besides {@code Transfer-Encoding}: {@code Expect}, and the two keys of the Hixie-76
     * WebSocket handshake, whose {@code GET} Netty's decoder gives an 8-byte body when it has both and
     * no {@code Content-Length} ({@code HttpUtil.getWebSocketContentLength}): taken as bodyless here,
     * those 8 bytes would start the next request.
     */
    private static final byte[][] DECLINED = PlainFieldLines.declining("expect", "sec-websocket-key1", "sec-websocket-key2");

    /**
     * @param headersFactory makes the request's fields, as the decoder's own config does
     * @param maxInitialLineBytes the decoder's limit on the request line
     * @param maxHeaderBytes the decoder's limit on the fields
     */
    WholeRequestParser(HttpHeadersFactory headersFactory, int maxInitialLineBytes, int maxHeaderBytes) {
        this.headersFactory = headersFactory;
        // Both limits at once, with room for line ends: a head the decoder would refuse as too long is never taken.
        this.maxHeadBytes = Math.max(0, Math.min(PlainFieldLines.MAX_HEAD_BYTES,
                Math.min(maxInitialLineBytes, maxHeaderBytes)) - 4);
    }

    /**
     * The bodyless request at the start of {@code in}, its bytes consumed; or {@code null}, nothing
     * consumed, if it is not whole there or not of the shape this takes. Bytes after it stay in {@code in}.
     */
    FullHttpRequest parse(ByteBuf in) {
        int n = Math.min(in.readableBytes(), maxHeadBytes);
        if (n < 16) {
            return null;
        }
        PlainFieldLines fields = PlainFieldLines.ofThisThread();
        byte[] b = fields.copyHead(in, n);
        int methodEnd = indexOf(b, (byte) ' ', 0, n);
        if (methodEnd < 0 || !PlainFieldLines.isToken(b, 0, methodEnd)) {
            return null;
        }
        int targetStart = methodEnd + 1;
        int targetEnd = targetStart;
        while (targetEnd < n && b[targetEnd] > ' ' && b[targetEnd] < 0x7F) {
            targetEnd++;
        }
        if (targetEnd == targetStart || targetEnd + VERSION_AND_CRLF.length > n) {
            return null;
        }
        for (int i = 0; i < VERSION_AND_CRLF.length; i++) {
            if (b[targetEnd + i] != VERSION_AND_CRLF[i]) {
                return null;
            }
        }
        int headBytes = fields.scan(b, targetEnd + VERSION_AND_CRLF.length, n, DECLINED);
        if (headBytes < 0 || fields.contentLength() > 0) {
            return null;
        }
        HttpMethod method = methodEnd == 3 && b[0] == 'G' && b[1] == 'E' && b[2] == 'T' ? HttpMethod.GET
                : HttpMethod.valueOf(new String(b, 0, methodEnd, StandardCharsets.US_ASCII));
        String target = new String(b, targetStart, targetEnd - targetStart, StandardCharsets.US_ASCII);
        HttpHeaders headers = fields.toHeaders(b, headersFactory);
        in.skipBytes(headBytes);
        return CopiedRequest.of(HttpVersion.HTTP_1_1, method, target, Unpooled.EMPTY_BUFFER, headers,
                EmptyHttpHeaders.INSTANCE);
    }

    private static int indexOf(byte[] b, byte c, int from, int n) {
        for (int i = from; i < n; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
