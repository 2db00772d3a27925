package io.mistguard.proxy.cache;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.upstream.MistReplyStatus;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The outcome of one call shared by several callers, detached from Netty buffers so that any number
 * of event loops can answer from it: status, headers and body bytes of the answer the policy layer
 * gave, its decision and attempts, plus what it means for the cache.
 *
 * <p>Classification (the one place that decides it): mistguard's own rejection (timeout, reset,
 * refused, breaker open, overload...) is a failure with that decision; a 5xx from Mist is
 * {@link Decision#UPSTREAM_5XX}; a 200 that is not a valid Mist reply ({@link MistReplyStatus}) is
 * {@link Decision#MALFORMED_REPLY}, except on requests without a command (Prometheus paths), where
 * any 200 is good. Other statuses pass through as neither good nor failed. Immutable after
 * construction; the headers are never modified, only copied.
 *
 * @param decision how the policy layer answered the call
 * @param attempts the call's upstream attempts ({@link Answer#attempts()})
 * @param upstreamNanos the call's time at Mist ({@link Answer#upstreamNanos()})
 * @param failure why the call counts as failed (the cause a stale answer names), or {@code null}
 * @param good the reply to keep, or {@code null}
 */
record SharedResult(int status, HttpHeaders headers, byte[] body, Decision decision, int attempts, long upstreamNanos,
                    Decision failure, StoredReply good) {

    /** Takes {@code answer} apart and releases its response. */
    static SharedResult of(Answer answer, boolean commandReply, long now) {
        FullHttpResponse response = answer.response();
        int status = response.status().code();
        HttpHeaders headers = response.headers().copy();
        byte[] body = ByteBufUtil.getBytes(response.content());
        response.release();
        Decision decision = answer.decision();
        Decision failure = failure(decision, status, commandReply, body);
        StoredReply good = failure == null && status == 200
                ? StoredReply.of(body, headers, now) : null;
        return new SharedResult(status, headers, body, decision, answer.attempts(), answer.upstreamNanos(), failure,
                                good);
    }

    private static Decision failure(Decision decision, int status, boolean commandReply, byte[] body) {
        if (decision.rejected()) {
            return decision;
        }
        if (status >= 500) {
            return Decision.UPSTREAM_5XX;
        }
        if (status == 200 && commandReply && !MistReplyStatus.isOk(body)) {
            return Decision.MALFORMED_REPLY;
        }
        return null;
    }

    /** Mist's own answer passed through (as opposed to one mistguard made up). */
    boolean proxied() {
        return decision == Decision.PROXIED;
    }
}
