package io.mistguard.proxy.invalidation.http;

import io.mistguard.proxy.upstream.MistReplyStatus;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * Judges Mist's reply to a command the way catalyst-api does (mist-api.md §4): the command took
 * effect only if the JSON body says {@code "authorize":{"status":"OK"}}. A {@code CHALL} or
 * {@code NOACC} reply is a 200 too, and means nothing was done.
 *
 * <p>The reading itself is {@link MistReplyStatus}'s. Stateless; thread-safe; reads the body
 * without consuming or releasing it.
 */
final class MistReplies {

    private MistReplies() {
    }

    /** {@code null} when Mist accepted the command, otherwise a short description of why not. */
    static String problem(FullHttpResponse response) {
        if (response.status().code() != 200) {
            return "HTTP " + response.status().code();
        }
        String status = MistReplyStatus.of(response.content());
        return "OK".equals(status) ? null : "authorize.status " + (status == null ? "missing" : status);
    }
}
