package io.mistguard.proxy.cache;

import io.mistguard.proxy.exchange.Decisions;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;

/**
 * Builds the answers the read cache gives: a stored reply served fresh, stale or while it is being
 * revalidated, and a shared call's answer for one of its callers. Each answer wraps the shared
 * {@code byte[]} in its own unpooled buffer, so the caller's pipeline owns and releases it alone.
 *
 * <p>Stored replies keep their body and {@code Content-Type} byte for byte (they still carry Mist's
 * {@code "authorize":{"status":"OK"}}, which is what makes catalyst-api accept them, mist-api.md
 * §4); {@code Age} and an RFC 9211 {@code Cache-Status} say how old and why. Stateless.
 */
final class CachedAnswers {

    static final String ROUTE_HEADER = "Mistguard-Route";
    static final String CACHE_STATUS = "Cache-Status";
    static final String REVALIDATING = "revalidating";
    private static final String CACHE_NAME = "mistguard";

    private CachedAnswers() {}

    /** A reply within {@code fresh_for}: Mist was not asked. */
    static FullHttpResponse fresh(StoredReply reply, long now, String route) {
        return stored(reply, now, route, CACHE_NAME + "; hit", "cached");
    }

    /** The last good reply, because the call for this request failed for {@code reason}. */
    static FullHttpResponse stale(StoredReply reply, String reason, long now, String route) {
        return stored(reply, now, route, CACHE_NAME + "; fwd=stale; detail=" + reason, "stale; reason=" + reason);
    }

    /** A reply past {@code fresh_for}, answered at once while one background call refreshes it. */
    static FullHttpResponse revalidating(StoredReply reply, long now, String route) {
        return stored(reply, now, route, CACHE_NAME + "; hit; detail=" + REVALIDATING,
                      "stale; reason=" + REVALIDATING);
    }

    /** The shared answer as one caller gets it; callers other than the starter see {@code coalesced}. */
    static FullHttpResponse shared(SharedResult result, boolean starter) {
        FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(result.status()), Unpooled.wrappedBuffer(result.body()));
        answer.headers().set(result.headers());
        if (!starter && result.proxied()) {
            answer.headers().set(Decisions.HEADER, "coalesced");
        }
        return answer;
    }

    private static FullHttpResponse stored(StoredReply reply, long now, String route, String cacheStatus,
                                           String decision) {
        FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                                              Unpooled.wrappedBuffer(reply.body()));
        if (reply.contentType() != null) {
            answer.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        }
        answer.headers()
              .set(HttpHeaderNames.CONTENT_LENGTH, reply.body().length)
              .set(HttpHeaderNames.AGE, TimeUnit.NANOSECONDS.toSeconds(Math.max(0, reply.ageNanos(now))))
              .set(CACHE_STATUS, cacheStatus)
              .set(Decisions.HEADER, decision)
              .set(ROUTE_HEADER, route);
        return answer;
    }
}
