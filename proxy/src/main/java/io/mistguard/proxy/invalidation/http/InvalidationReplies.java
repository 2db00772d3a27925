package io.mistguard.proxy.invalidation.http;

import io.mistguard.proxy.classify.MistJsonp;
import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.ProxyResponses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The answers mistguard gives to an {@code invalidate_sessions} request it intercepted.
 *
 * <p>An accepted request gets Mist's own minimal reply, so catalyst-api (which checks only
 * {@code authorize.status}) cannot tell it from Mist. On {@code /} Mist would add its config,
 * streams and log ("non-minimal", mist-api.md §1); the minimal shape is returned there too. It has
 * Mist's shape: {@code text/javascript}, Mist's CORS and no-cache fields ({@code HTTP::Parser::
 * setCORSHeaders}), and a JSONP {@code callback}/{@code jsonp} wrap ({@link MistJsonp}). Found by
 * review: it came bare, so a web page asking with {@code callback=} could not read it. Refusals
 * are plain text (see {@link ProxyResponses}): a 503 is retried by catalyst-api after
 * {@code Retry-After: 1}, a 400 is not. Stateless; thread-safe.
 */
final class InvalidationReplies {

    private static final String MIST_OK = "{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"}}";
    /** Mist's {@code setCORSHeaders}, in its order: CORS for any origin, and no caching. */
    private static final String[] MIST_FIELDS = {
        "Access-Control-Allow-Origin", "*",
        "Access-Control-Allow-Credentials", "true",
        "Access-Control-Expose-Headers", "*",
        "Access-Control-Max-Age", "600",
        "Access-Control-Allow-Methods", "GET, POST, OPTIONS, HEAD",
        "Access-Control-Allow-Headers", "*",
        "Access-Control-Request-Method", "GET",
        "Access-Control-Request-Headers", "*",
        "Cache-Control", "no-cache, no-store, must-revalidate",
        "Pragma", "no-cache",
        "Expires", "0"};

    private InvalidationReplies() {
    }

    /** @param jsonp the JSONP function the caller asked for ({@link MistJsonp}), or {@code null} */
    static Answer queued(ByteBufAllocator alloc, String jsonp) {
        ByteBuf body = ByteBufUtil.writeUtf8(alloc, MistJsonp.wrap(MIST_OK, jsonp));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/javascript");
        for (int i = 0; i < MIST_FIELDS.length; i += 2) {
            response.headers().set(MIST_FIELDS[i], MIST_FIELDS[i + 1]);
        }
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return Answer.of(response, Decision.QUEUED);
    }

    /** 503 with {@code Retry-After: 1}: the queue holds its maximum of distinct names. */
    static Answer full(ByteBufAllocator alloc, int accepted, int total) {
        return ProxyResponses.rejection(alloc, HttpResponseStatus.SERVICE_UNAVAILABLE, Decision.INVALIDATION_QUEUE_FULL,
                partial(accepted, total) + "retry the whole request");
    }

    /** 503 with {@code Retry-After: 1}: this process is stopping; its successor will take the names. */
    static Answer shuttingDown(ByteBufAllocator alloc, int accepted, int total) {
        return ProxyResponses.rejection(alloc, HttpResponseStatus.SERVICE_UNAVAILABLE,
                Decision.INVALIDATION_QUEUE_SHUTTING_DOWN,
                partial(accepted, total) + "retry the whole request");
    }

    /** 400: retrying cannot help, so nothing of the request was queued. */
    static Answer invalid(ByteBufAllocator alloc, int index, String problem) {
        return ProxyResponses.rejection(alloc, HttpResponseStatus.BAD_REQUEST, Decision.INVALID_STREAM_NAME,
                "name " + index + ": " + problem + "; nothing was queued");
    }

    private static String partial(int accepted, int total) {
        return accepted == 0 ? "nothing was queued; "
                : accepted + " of " + total + " names were queued and will be delivered; ";
    }
}
