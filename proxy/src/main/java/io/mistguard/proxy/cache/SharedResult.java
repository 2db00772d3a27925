package io.mistguard.proxy.cache;

import io.mistguard.proxy.exchange.Decisions;
import io.mistguard.proxy.upstream.MistReplyStatus;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The outcome of one call shared by several callers, detached from Netty buffers so that any number
 * of event loops can answer from it: status, headers and body bytes of the answer the policy layer
 * gave, plus what it means for the cache.
 *
 * <p>Classification (the one place that decides it): mistguard's own rejection ({@code rejected;
 * reason=X}: timeout, reset, refused, breaker open, overload...) is failure {@code X}; a 5xx from
 * Mist is {@code upstream-5xx}; a 200 that is not a valid Mist reply ({@link MistReplyStatus}) is
 * {@code malformed-reply}, except on requests without a command (Prometheus paths), where any 200
 * is good. Other statuses pass through as neither good nor failed. Immutable after construction;
 * the headers are never modified, only copied.
 *
 * @param failure the reason the call counts as failed, or {@code null}
 * @param good the reply to keep, or {@code null}
 */
record SharedResult(int status, HttpHeaders headers, byte[] body, String failure, StoredReply good) {

    static final String UPSTREAM_5XX = "upstream-5xx";
    static final String MALFORMED_REPLY = "malformed-reply";
    private static final String REJECTED = "rejected; reason=";

    /** Takes {@code answer} apart and releases it. */
    static SharedResult of(FullHttpResponse answer, boolean commandReply, long now) {
        int status = answer.status().code();
        HttpHeaders headers = answer.headers().copy();
        byte[] body = ByteBufUtil.getBytes(answer.content());
        answer.release();
        String decision = headers.get(Decisions.HEADER, "");
        if (decision.startsWith(REJECTED)) {
            return new SharedResult(status, headers, body, decision.substring(REJECTED.length()), null);
        }
        if (status >= 500) {
            return new SharedResult(status, headers, body, UPSTREAM_5XX, null);
        }
        if (status != 200) {
            return new SharedResult(status, headers, body, null, null);
        }
        if (commandReply && !MistReplyStatus.isOk(body)) {
            return new SharedResult(status, headers, body, MALFORMED_REPLY, null);
        }
        StoredReply good = new StoredReply(body, headers.get(HttpHeaderNames.CONTENT_TYPE), now);
        return new SharedResult(status, headers, body, null, good);
    }

    /** Mist's own answer passed through (as opposed to one mistguard made up). */
    boolean proxied() {
        return Decisions.PROXIED.equals(headers.get(Decisions.HEADER));
    }
}
