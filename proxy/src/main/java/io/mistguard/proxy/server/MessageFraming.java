package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.AnswerContent;
import io.mistguard.proxy.net.CopiedRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Re-frames aggregated messages for the next hop: hop-by-hop fields removed, a {@code Content-Length}
 * instead of chunks (and so no trailer fields, nor a {@code Trailer} field announcing them), HTTP/1.1
 * towards Mist (with an empty {@code Host} for an HTTP/1.0 or 0.9 caller
 * that sent none). Method, target, end-to-end headers and body bytes are
 * left exactly as they came. Stateless.
 */
final class MessageFraming {

    private MessageFraming() {
    }

    /**
     * The request as it goes to Mist, its hop-by-hop fields already removed by the caller (who must
     * read trust and the command after that, see {@code ProxyHandler}). Takes over {@code request}'s
     * content and headers: the caller must not use or release {@code request} afterwards.
     */
    static FullHttpRequest towardsMist(FullHttpRequest request) {
        FullHttpRequest upstream = CopiedRequest.of(HttpVersion.HTTP_1_1, request.method(), request.uri(),
                request.content(), request.headers(), request.trailingHeaders());
        upstream.headers().remove(HttpHeaderNames.TRAILER); // announces trailers a Content-Length body cannot carry
        if (request.protocolVersion().compareTo(HttpVersion.HTTP_1_1) < 0 && !upstream.headers().contains(HttpHeaderNames.HOST)) {
            // An HTTP/1.1 request must carry Host; an older caller's target without an authority gets it empty
            // (RFC 9112 §3.2). Mist reads a missing Host and an empty one alike ("" from its header map).
            upstream.headers().set(HttpHeaderNames.HOST, "");
        }
        if (upstream.content().isReadable()) {
            HttpUtil.setContentLength(upstream, upstream.content().readableBytes());
        } else {
            // No body needs no length (RFC 9112 §6.3). A caller's own "Content-Length: 0" (or the
            // aggregator's, for a chunked body of no chunks) goes: Mist echoes request headers into its
            // Prometheus answers, which then carry two Content-Lengths (measured on Mist 3.10).
            upstream.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        return upstream;
    }

    /**
     * Frames an answer for the caller: always a {@code Content-Length}, never chunked. An answer that
     * cannot have content ({@link AnswerContent}: to a {@code HEAD}, a 1xx, 204, 205 or 304) is sent
     * without any, whatever it holds — Mist's own, a stored or shared one, or one mistguard made up (a
     * rejection): the caller reads no content after such a head, so bytes sent there would be read as
     * the start of the next answer on the connection.
     */
    static void towardsCaller(FullHttpResponse response, boolean headRequest) {
        HopByHopHeaders.strip(response.headers());
        // Trailer fields are dropped with the chunks (RFC 9110 §6.5.1 lets a recipient discard them);
        // found by review: the Trailer field announcing them was kept.
        response.headers().remove(HttpHeaderNames.TRAILER);
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        int code = response.status().code();
        if (AnswerContent.isSent(code, headRequest)) {
            int length = response.content().readableBytes();
            if (HttpUtil.getContentLength(response, -1L) != length) {
                HttpUtil.setContentLength(response, length);
            } // else Mist's own field, as Mist spelled it (found by review: it came out as content-length)
            return;
        }
        response.content().clear(); // this answer's own indices: a stored body is wrapped, not shared
        if (code < 200 || code == 204) {
            response.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        // Else kept: a HEAD's or a 304's describes the body a GET would get; Netty's encoder sends a 205
        // with Content-Length: 0 whatever it says.
    }

}
