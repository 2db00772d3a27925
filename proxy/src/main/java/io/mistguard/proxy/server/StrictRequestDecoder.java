package io.mistguard.proxy.server;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;

/**
 * HTTP/1.x request decoder that refuses ambiguous framing instead of guessing.
 *
 * <p>Netty's default drops {@code Content-Length} when {@code Transfer-Encoding: chunked} is also
 * present; a proxy must not forward such a request at all (request smuggling, RFC 9112 §6.1), so
 * here it becomes an invalid message that {@link ProxyHandler} answers with 400. Conflicting
 * {@code Content-Length} values are refused by the base decoder because duplicates are not allowed.
 * First in the server pipeline after the connection limiter; one instance per channel.
 */
final class StrictRequestDecoder extends HttpRequestDecoder {

    StrictRequestDecoder(int maxInitialLineBytes, int maxHeaderBytes) {
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLineBytes)
                .setMaxHeaderSize(maxHeaderBytes)
                .setAllowDuplicateContentLengths(false));
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new IllegalArgumentException("both Transfer-Encoding and Content-Length are present");
    }
}
