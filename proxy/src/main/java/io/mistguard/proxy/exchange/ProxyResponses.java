package io.mistguard.proxy.exchange;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Builds the answers mistguard gives on its own: a status, a {@code Mistguard-Decision} header and a
 * short plain-text body naming the reason.
 *
 * <p>The body is deliberately not JSON: catalyst-api parses every API reply as JSON and, when that
 * fails, gives up at once instead of logging in again and re-sending (mist-api.md §4). A 503 carries
 * {@code Retry-After: 1} because catalyst-api sleeps for whatever it is told, uncapped.
 */
public final class ProxyResponses {

    private ProxyResponses() {
    }

    /**
     * @param reason a short lower-case token ({@code timeout}, {@code connect-refused}, ...)
     * @param detail one human-readable sentence, or {@code null}
     */
    public static FullHttpResponse rejection(ByteBufAllocator alloc, HttpResponseStatus status, String reason,
                                             String detail) {
        String text = "mistguard: " + status.code() + " " + status.reasonPhrase() + ": " + reason
                + (detail == null ? "" : " (" + detail + ")") + "\n";
        ByteBuf body = ByteBufUtil.writeUtf8(alloc, text);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(Decisions.HEADER, Decisions.rejected(reason));
        if (status.code() == 503 || status.code() == 429) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
        }
        return response;
    }
}
