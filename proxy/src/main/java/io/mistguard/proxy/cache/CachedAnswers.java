package io.mistguard.proxy.cache;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Decision;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.concurrent.TimeUnit;

/**
 * Builds the answers the read cache gives: a stored reply served fresh, stale or while it is being
 * revalidated, and a shared call's answer for one of its callers. Each answer wraps the shared
 * {@code byte[]} in its own unpooled buffer, so the caller's pipeline owns and releases it alone.
 *
 * <p>Stored replies keep their body and Mist's header fields byte for byte (they still carry Mist's
 * {@code "authorize":{"status":"OK"}}, which is what makes catalyst-api accept them, mist-api.md
 * §4); {@code Age} and an RFC 9211 {@code Cache-Status} say how old and why. Stateless.
 */
final class CachedAnswers {

    static final AsciiString CACHE_STATUS = AsciiString.cached("Cache-Status"); // set on every stored answer: hashed once
    /** RFC 9111 §5.1, written as the RFC spells it (Netty's constant is lower case; case does not matter to HTTP). */
    static final String AGE = "Age";
    private static final String CACHE_NAME = "mistguard";

    private CachedAnswers() {}

    /** A reply within {@code fresh_for}: Mist was not asked. */
    static Answer fresh(StoredReply reply, long now) {
        return Answer.of(stored(reply, now, CACHE_NAME + "; hit"), Decision.CACHED);
    }

    /** The last good reply, because the call for this request failed with {@code cause}. */
    static Answer stale(StoredReply reply, Decision cause, long now) {
        return Answer.stale(stored(reply, now, CACHE_NAME + "; fwd=stale; detail=" + cause.token()), cause);
    }

    /** A reply past {@code fresh_for}, answered at once while one background call refreshes it. */
    static Answer revalidating(StoredReply reply, long now) {
        return Answer.stale(stored(reply, now, CACHE_NAME + "; hit; detail=" + Decision.REVALIDATING.token()),
                            Decision.REVALIDATING);
    }

    /**
     * The shared answer as one caller gets it, with the call's attempts; callers other than the
     * starter see {@code coalesced} where the starter sees {@code proxied}.
     *
     * @param upstreamNanos the caller's own time at Mist: the call's for its starter, else 0
     */
    static Answer shared(SharedResult result, boolean starter, long upstreamNanos) {
        FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(result.status()), Unpooled.wrappedBuffer(result.body()));
        answer.headers().set(result.headers());
        Decision decision = !starter && result.proxied() ? Decision.COALESCED : result.decision();
        return new Answer(answer, decision, null, null, result.attempts(), upstreamNanos);
    }

    private static FullHttpResponse stored(StoredReply reply, long now, String cacheStatus) {
        FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                                              Unpooled.wrappedBuffer(reply.body()));
        for (java.util.Map.Entry<String, String> field : reply.headers()) {
            answer.headers().add(field.getKey(), field.getValue());
        }
        answer.headers()
              .set(HttpHeaderNames.CONTENT_LENGTH, reply.body().length)
              .set(AGE, TimeUnit.NANOSECONDS.toSeconds(Math.max(0, reply.ageNanos(now))))
              .set(CACHE_STATUS, cacheStatus);
        return answer;
    }
}
