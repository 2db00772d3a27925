package io.mistguard.proxy.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ByteProcessor;
import java.util.List;
import java.util.Queue;

/**
 * HTTP/1.x request decoder that refuses ambiguous framing instead of guessing.
 *
 * <p>Netty's default drops {@code Content-Length} when {@code Transfer-Encoding: chunked} is also
 * present; a proxy must not forward such a request at all (request smuggling, RFC 9112 §6.1), so
 * here it becomes an invalid message that the listener's handler answers with 400
 * ({@code InvalidRequest} says with what). Conflicting
 * {@code Content-Length} values are refused by the base decoder because duplicates are not allowed,
 * and lines must end in CRLF (strict line parsing). Netty unfolds obs-fold continuation lines and
 * reads a header line that starts with whitespace; RFC 9112 §5.2 and §2.2 let a server refuse both,
 * and here both are invalid: {@code Transfer-Encoding:\r\n chunked} means one thing to a server that
 * unfolds and another to one that does not.
 *
 * <p>A request without a body (no {@code Content-Length} or {@code Content-Length: 0}, no
 * {@code Transfer-Encoding}, no {@code Expect}) leaves as one {@code FullHttpRequest} with an empty
 * content, which the aggregator passes on untouched: a GET would otherwise cost the aggregator a
 * composite buffer and five header lookups and edits (one of them adding a {@code Content-Length: 0}
 * that {@code MessageFraming} then removes again), and two messages through the handlers between.
 * What reaches {@link ProxyHandler} is the same request line and header fields either way.
 *
 * <p>A plain bodyless request whose head is whole in the bytes read, met between requests, is read
 * by {@link WholeRequestParser} in one pass instead, into the same request; every other is read as
 * above.
 *
 * <p>Also tells the handlers after it when the first byte of a request arrives ({@link #HEAD_STARTED}:
 * the proxy listener's read timeout times a request's head from its first byte and leaves an idle
 * keep-alive connection to the idle timeout), and tells {@link CallerResponseEncoder} each decoded
 * request's method, invalid ones included (each gets one answer), so that an answer to a {@code HEAD}
 * goes out without content whoever writes it.
 *
 * <p>Every listener of mistguard reads requests with it (the proxy, admin and trigger listeners:
 * {@link StrictServerCodec}), so that none of them reads a request another parser on the path would
 * read differently. Found by review: the admin and trigger listeners kept Netty's lenient defaults.
 * First in a listener's HTTP handlers; one instance per channel, used from its event loop.
 */
public final class StrictRequestDecoder extends HttpRequestDecoder {

    /** A user event fired when the first byte of a request (other than the CRLFs between requests) arrives. */
    public static final Object HEAD_STARTED = new Object() {
        @Override
        public String toString() {
            return "HEAD_STARTED";
        }
    };

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private enum Scan { LEADING, IN_LINE, AFTER_LF, DONE }

    /** Between the first byte of a request and its last. */
    private boolean inRequest;
    /** Between the first byte of a request and the end of its head. */
    private boolean inHead;
    /** Where the scan for continuation lines is in the head, carried across reads. */
    private Scan scan = Scan.DONE;
    /** Bytes the base decoder consumed on this connection, and bytes of it the scan has looked at. */
    private long consumed;
    private long scanned;
    /** An invalid message was produced: everything after it is discarded. */
    private boolean broken;
    /** The last {@link #continuationLine} scan found a line starting with whitespace. */
    private boolean folded;
    private final ByteProcessor foldScan = this::scanHeadByte;
    /** The longest request line, and chunk line, read (bytes). */
    private final int maxInitialLineBytes;
    /** Shared with this channel's {@link CallerResponseEncoder}: methods of requests not yet answered. */
    private final Queue<HttpMethod> requestMethods;
    /** Reads a plain bodyless request whole in one pass; null when every request goes the base class's way. */
    private final WholeRequestParser wholeRequests;
    /** The base class holds no part of a request: its last output ended one, cleanly. */
    private boolean betweenRequests = true;

    /**
     * @param maxInitialLineBytes the longest request line accepted ({@code limits.max_initial_line_bytes})
     * @param maxHeaderBytes the largest header block accepted ({@code limits.max_header_bytes})
     * @param requestMethods where each decoded request's method is added, for the response encoder
     */
    public StrictRequestDecoder(int maxInitialLineBytes, int maxHeaderBytes, Queue<HttpMethod> requestMethods) {
        this(new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLineBytes)
                .setMaxHeaderSize(maxHeaderBytes)
                .setMaxChunkSize(ContentPieces.MAX_BYTES)
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true), requestMethods, true);
    }

    /**
     * As {@link #StrictRequestDecoder(int, int, Queue)}, with {@code wholeRequests} false for a decoder
     * that reads every request the base class's way: the reference the one-pass parser is tested against.
     */
    StrictRequestDecoder(HttpDecoderConfig config, Queue<HttpMethod> requestMethods, boolean wholeRequests) {
        super(config);
        this.requestMethods = requestMethods;
        this.maxInitialLineBytes = config.getMaxInitialLineLength();
        this.wholeRequests = wholeRequests ? new WholeRequestParser(config.getHeadersFactory(),
                config.getMaxInitialLineLength(), config.getMaxHeaderSize()) : null;
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new IllegalArgumentException("both Transfer-Encoding and Content-Length are present");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (wholeRequests != null && betweenRequests && !inRequest) {
            int before = in.readerIndex();
            FullHttpRequest whole = wholeRequests.parse(in);
            if (whole != null) {
                ctx.fireUserEventTriggered(HEAD_STARTED); // as below: the request's first byte came
                consumed += in.readerIndex() - before;
                requestMethods.add(whole.method());
                out.add(whole);
                return;
            }
        }
        if (!inRequest && startsRequest(in)) {
            inRequest = true;
            inHead = true;
            scan = Scan.LEADING;
            scanned = consumed;
            ctx.fireUserEventTriggered(HEAD_STARTED);
        }
        if (inHead && continuationLine(in)) {
            broken = true;
            in.skipBytes(in.readableBytes());
            HttpMessage invalid = createInvalidMessage();
            invalid.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(
                    "a header line starts with whitespace (obs-fold)")));
            requestMethods.add(((HttpRequest) invalid).method());
            out.add(invalid);
            return;
        }
        int before = in.readerIndex();
        int produced = out.size();
        super.decode(ctx, in, out);
        consumed += in.readerIndex() - before;
        for (int i = produced; i < out.size(); i++) {
            Object message = out.get(i);
            if (message instanceof HttpContent content && !(message instanceof HttpMessage)) {
                chunkLineTooLong(content); // a body's piece, not a head (an invalid head is a FullHttpRequest)
            }
            if (message instanceof HttpRequest request) {
                inHead = false;
                requestMethods.add(request.method());
            }
            if (message instanceof LastHttpContent) {
                inRequest = false;
                inHead = false;
            }
            if (i + 1 < out.size() && isBodyless(message, out.get(i + 1))) {
                HttpRequest head = (HttpRequest) message;
                out.set(i, CopiedRequest.of(head.protocolVersion(), head.method(), head.uri(),
                        Unpooled.EMPTY_BUFFER, head.headers(), EmptyHttpHeaders.INSTANCE));
                out.remove(i + 1);
                inRequest = false;
            }
        }
        // Between requests again only once the base class has ended one cleanly: a head in parts, a
        // body still coming, or a refused request (after which everything is discarded) keeps it.
        betweenRequests = !inRequest && !broken && out.size() > produced
                          && out.get(out.size() - 1) instanceof LastHttpContent last && last.decoderResult().isSuccess();
    }

    /**
     * A chunk line (size and extensions) over the limit is a malformed body, 400: Netty reads it with
     * the request line's limit and reports the request line's exception, which every listener answers
     * 414 "URI Too Long" (found by review). Its failure is restated; anything else is left as it is.
     */
    private void chunkLineTooLong(HttpContent content) {
        if (content.decoderResult().isFailure() && content.decoderResult().cause() instanceof TooLongHttpLineException) {
            content.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(
                    "a chunk line is longer than " + maxInitialLineBytes + " bytes (RFC 9112 §7.1)")));
        }
    }

    /**
     * A request head followed at once by the decoder's shared empty end: a request with no body,
     * whole already. Not one with {@code Transfer-Encoding} or {@code Expect}, whose handling the
     * aggregator keeps (a chunked body of no chunks, a 100-continue or 417).
     */
    private static boolean isBodyless(Object message, Object next) {
        return next == LastHttpContent.EMPTY_LAST_CONTENT
                && message instanceof HttpRequest head && !(head instanceof FullHttpRequest)
                && head.decoderResult().isSuccess()
                && !head.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
                && !head.headers().contains(HttpHeaderNames.EXPECT);
    }

    /**
     * As the base class, but the request line's version must be spelled as RFC 9112 §2.3 has it,
     * case and all: {@code HTTP/} and two digits around a dot (Netty's parser upper-cases
     * {@code http/1.1} and takes it), and of HTTP/1 or older (RFC 9110 §15.6.6: a server refuses a
     * major version it does not speak; {@code HTTP/2.0} here is not an HTTP/2 connection). A bad one throws,
     * which the base class turns into an invalid message: 400, or 505 for another major version
     * ({@code InvalidRequest}). Found by review: both were forwarded to Mist as HTTP/1.1.
     */
    @Override
    protected HttpMessage createMessage(String[] initialLine) throws Exception {
        String version = initialLine[2];
        if (version.isEmpty()) { // "GET /" alone: HTTP/0.9's form, which has no headers to frame anything
            throw new IllegalArgumentException("the request line has no HTTP version (RFC 9112 §2.3; "
                                               + "HTTP/0.9's simple request is not served)");
        }
        if (version.length() != 8 || !version.startsWith("HTTP/") || !isDigit(version.charAt(5))
                || version.charAt(6) != '.' || !isDigit(version.charAt(7))) {
            throw new IllegalArgumentException("the request line's HTTP version \"" + printable(version)
                                               + "\" is not HTTP/<digit>.<digit> (RFC 9112 §2.3; case matters)");
        }
        if (version.charAt(5) > '1') { // HTTP/1.x, and the older forms Netty and Mist read as well
            throw new UnsupportedVersionException(version);
        }
        return super.createMessage(initialLine);
    }

    /** A request line of another major version than HTTP/1: answered 505, not 400. */
    public static final class UnsupportedVersionException extends IllegalArgumentException {
        UnsupportedVersionException(String version) {
            super(version + " is not served here: mistguard speaks HTTP/1.1 (RFC 9110 §15.6.6)");
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** {@code text} with anything outside printable ASCII escaped, for an error message. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 40));
        for (int i = 0; i < text.length() && i < 40; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7F && c != '"' && c != '\\' ? String.valueOf(c)
                                                                        : String.format("\\x%02X", (int) c));
        }
        return text.length() > 40 ? out.append("...").toString() : out.toString();
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        super.decodeLast(ctx, in, out);
    }

    /** Bytes other than the CRLFs a client may send between requests (RFC 9112 §2.2). */
    private static boolean startsRequest(ByteBuf in) {
        // One bulk pass, not a getByte per byte: each access of a leak-aware buffer may be recorded.
        return in.forEachByte(b -> b == CR || b == LF) >= 0;
    }

    /**
     * Whether a line of the head starts with a space or tab. Each byte of the head is looked at once,
     * however the head is split across reads; the scan stops at the end of the head (an empty line),
     * since a body may hold anything.
     */
    private boolean continuationLine(ByteBuf in) {
        int from = in.readerIndex() + (int) Math.max(0, scanned - consumed);
        if (scan == Scan.DONE || from >= in.writerIndex()) {
            return false;
        }
        folded = false;
        in.forEachByte(from, in.writerIndex() - from, foldScan);
        return folded;
    }

    /**
     * One byte of the head at a time, for {@link #continuationLine}: advances {@link #scan}, and stops
     * at a folded line ({@link #folded}) or the end of the head. One instance per decoder, not one per
     * read: a capturing lambda and its result box cost two allocations per request.
     */
    private boolean scanHeadByte(byte b) {
        scanned++;
        switch (scan) {
            case LEADING -> scan = b == CR || b == LF ? Scan.LEADING : Scan.IN_LINE;
            case IN_LINE -> scan = b == LF ? Scan.AFTER_LF : Scan.IN_LINE;
            case AFTER_LF -> {
                if (b == ' ' || b == '\t') {
                    folded = true;
                    return false;
                }
                scan = b == CR || b == LF ? Scan.DONE : Scan.IN_LINE;
            }
            default -> throw new IllegalStateException(scan.name());
        }
        return scan != Scan.DONE;
    }
}
