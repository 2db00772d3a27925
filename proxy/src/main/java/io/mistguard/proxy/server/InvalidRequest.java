package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.Decision;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * Why a decoded request must not be forwarded, with the status and reason it is answered with:
 * decoder failures (malformed syntax, ambiguous framing, lines or headers over the limits) and
 * transfer codings other than {@code chunked}. Stateless.
 */
record InvalidRequest(HttpResponseStatus status, Decision decision, String detail) {

    /** The problem with {@code request}, or {@code null} when it may be forwarded. */
    static InvalidRequest of(FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            String detail = String.valueOf(cause.getMessage());
            if (cause instanceof TooLongHttpLineException) {
                return new InvalidRequest(HttpResponseStatus.REQUEST_URI_TOO_LONG, Decision.URI_TOO_LONG, detail);
            }
            if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
                return new InvalidRequest(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, Decision.HEADER_TOO_LARGE, detail);
            }
            return new InvalidRequest(HttpResponseStatus.BAD_REQUEST, Decision.BAD_REQUEST, detail);
        }
        String codings = request.headers().get(HttpHeaderNames.TRANSFER_ENCODING);
        if (codings != null) {
            // The aggregator removed "chunked"; anything left is a coding we cannot undo.
            return new InvalidRequest(HttpResponseStatus.BAD_REQUEST, Decision.BAD_REQUEST,
                    "unsupported Transfer-Encoding: " + codings);
        }
        return null;
    }
}
