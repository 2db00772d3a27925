package io.mistguard.proxy.upstream;

import io.mistguard.proxy.net.PlainFieldLines;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Reads an upstream answer in one pass when it is whole in the bytes already read and framed in
 * the plainest way HTTP/1.1 has: the usual shape of a Mist answer. It gives the same
 * {@link FullHttpResponse} that Netty's response decoder and {@code OneReadAggregator} make of
 * those bytes — the same version, status and reason, the same fields in the same order with the
 * same names and values, the same content — without their state machine, line copies, per-message
 * objects and the trips through the handlers between them. The profile that called for it: that
 * path cost about 1.7 µs of user time per small answer, against about 10 µs for everything
 * mistguard does per request (deploy/bench/FINDINGS.md).
 *
 * <p>It takes an answer only when nothing about its framing needs a decision; anything else is
 * declined, nothing consumed, and left to Netty's decoder, which reads it or refuses it as before.
 * Taken: a status line {@code HTTP/1.1 SP 3DIGIT SP reason CRLF} with a status of 200–599 other
 * than 204, 205 and 304, and a reason of visible ASCII, spaces and tabs that neither starts nor ends
 * with one; then field lines {@code token ":" OWS value OWS CRLF} (RFC 9110 §5.1, §5.5, RFC 9112
 * §5) with values of visible ASCII, spaces and tabs, at most {@value PlainFieldLines#MAX_FIELDS} of them; an empty
 * line; exactly one {@code Content-Length} of 1 to 9 digits without a leading zero, at most
 * {@code maxBodyBytes}; no {@code Transfer-Encoding}; and every byte of the body already read. The
 * head, empty line included, fits in {@value #MAX_HEAD_BYTES} bytes, under both of the decoder's
 * limits, so a head it would refuse as too long is never taken here. Bare CR or LF, obs-fold,
 * whitespace before a colon, obs-text, NUL and every other control byte are declined: the decoder
 * and its rules see them.
 *
 * <p>Declining costs one pass over at most {@value #MAX_HEAD_BYTES} bytes. Whether the answer
 * belongs to a {@code HEAD}, or follows bytes the decoder already holds, is the caller's to check
 * ({@link UpstreamCodec}): this reads bytes, and knows no request. Not thread-safe: one instance per
 * decoder; used only from the channel's event loop (its scratch is the thread's).
 */
final class WholeAnswerParser {

    /** The largest head (status line, fields and empty line) taken, in bytes. */
    static final int MAX_HEAD_BYTES = PlainFieldLines.MAX_HEAD_BYTES;
    private static final byte[][] DECLINED = PlainFieldLines.declining();

    private static final byte[] STATUS_LINE_START = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);

    private final HttpHeadersFactory headersFactory;
    private final int maxBodyBytes;

    /**
     * @param headersFactory makes the answer's fields, as the decoder's own config does (the same
     *        validation of what is added later)
     * @param maxBodyBytes the largest body taken, ≥ 0: no more than the aggregator's limit and the
     *        decoder's largest piece, so that a body the slower path would refuse or split is left to it
     */
    WholeAnswerParser(HttpHeadersFactory headersFactory, int maxBodyBytes) {
        this.headersFactory = headersFactory;
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * The answer at the start of {@code in}, its bytes consumed; or {@code null}, nothing consumed,
     * if it is not whole there or not of the shape this takes. Bytes after the answer stay in
     * {@code in}. The content is a retained slice of {@code in}, as the decoder's would be.
     */
    FullHttpResponse parse(ByteBuf in) {
        int readable = in.readableBytes();
        int n = Math.min(readable, MAX_HEAD_BYTES);
        if (n < STATUS_LINE_START.length + 8) {
            return null;
        }
        PlainFieldLines fields = PlainFieldLines.ofThisThread();
        byte[] b = fields.copyHead(in, n);
        for (int i = 0; i < STATUS_LINE_START.length; i++) {
            if (b[i] != STATUS_LINE_START[i]) {
                return null;
            }
        }
        int p = STATUS_LINE_START.length;
        int code = digit(b[p]) * 100 + digit(b[p + 1]) * 10 + digit(b[p + 2]);
        if (code < 200 || code > 599 || code == 204 || code == 205 || code == 304 || b[p + 3] != ' ') {
            return null; // digit() of a non-digit is -1000: the sum is negative
        }
        int reasonStart = p + 4;
        int reasonEnd = PlainFieldLines.lineEnd(b, reasonStart, n);
        if (reasonEnd <= reasonStart || !PlainFieldLines.isText(b, reasonStart, reasonEnd)
                || PlainFieldLines.isOws(b[reasonStart]) || PlainFieldLines.isOws(b[reasonEnd - 1])) {
            return null;
        }
        int headBytes = fields.scan(b, reasonEnd + 2, n, DECLINED);
        int contentLength = fields.contentLength();
        if (headBytes < 0 || contentLength < 1 || contentLength > maxBodyBytes || readable - headBytes < contentLength) {
            return null;
        }
        HttpResponseStatus status = status(code, b, reasonStart, reasonEnd);
        HttpHeaders headers = fields.toHeaders(b, headersFactory);
        in.skipBytes(headBytes);
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, in.readRetainedSlice(contentLength),
                headers, EmptyHttpHeaders.INSTANCE);
    }

    /**
     * The status as {@code HttpResponseStatus.valueOf(code, reason)} gives it, the decoder's way: the
     * shared constant when the reason is its usual one, which is then not copied into a string.
     */
    private static HttpResponseStatus status(int code, byte[] b, int reasonStart, int reasonEnd) {
        HttpResponseStatus usual = HttpResponseStatus.valueOf(code);
        String phrase = usual.reasonPhrase();
        boolean same = phrase.length() == reasonEnd - reasonStart;
        for (int i = 0; same && i < phrase.length(); i++) {
            same = phrase.charAt(i) == b[reasonStart + i];
        }
        return same ? usual : HttpResponseStatus.valueOf(code,
                new String(b, reasonStart, reasonEnd - reasonStart, StandardCharsets.US_ASCII));
    }

    private static int digit(byte c) {
        return c >= '0' && c <= '9' ? c - '0' : -1000;
    }
}
