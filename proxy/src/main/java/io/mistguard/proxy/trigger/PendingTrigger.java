package io.mistguard.proxy.trigger;

import io.mistguard.proxy.net.CopiedRequest;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.Map;

/**
 * A non-blocking trigger waiting for delivery: Mist's request as it arrived (hop-by-hop fields
 * removed), kept as plain bytes so that it has no reference count and can be sent again, with the
 * same {@code X-Trigger-UUID}, as often as the delivery queue retries it.
 *
 * <p>The request fields never change; the attempt counter is touched only by the delivery queue's
 * own event loop.
 */
final class PendingTrigger {

    private static final AsciiString X_TRIGGER_UUID = AsciiString.cached("X-Trigger-UUID");

    final String tag;
    final HttpMethod method;
    final String uri;
    final HttpHeaders headers;
    final byte[] body;
    /** What this trigger counts against {@code max_pending_bytes}. */
    final long weight;
    /** Delivery attempts made so far. */
    int attempts;

    PendingTrigger(String tag, HttpMethod method, String uri, HttpHeaders headers, byte[] body) {
        this.tag = tag;
        this.method = method;
        this.uri = uri;
        this.headers = new DefaultHttpHeaders().set(headers);
        this.body = body;
        long w = body.length + uri.length() + 64;
        for (Map.Entry<String, String> h : this.headers) {
            w += h.getKey().length() + h.getValue().length() + 4;
        }
        this.weight = w;
    }

    /** A fresh request to send, which the attempt owns. */
    FullHttpRequest request() {
        // Mist's own line, checked by the listener's decoder when it came in
        FullHttpRequest request = CopiedRequest.of(HttpVersion.HTTP_1_1, method, uri, Unpooled.wrappedBuffer(body),
                DefaultHttpHeadersFactory.headersFactory().newHeaders().set(headers),
                DefaultHttpHeadersFactory.trailersFactory().newHeaders());
        request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return request;
    }

    /** Mist's {@code X-Trigger-UUID}, the same on every attempt, for logs. */
    String uuid() {
        return headers.get(X_TRIGGER_UUID, "-");
    }
}
