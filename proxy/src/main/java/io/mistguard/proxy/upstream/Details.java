package io.mistguard.proxy.upstream;

import io.mistguard.proxy.net.OneReadAggregator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.TooLongHttpContentException;

/**
 * One line about an upstream failure's cause, for answer bodies and logs: its message, or its type
 * when it has none (a closed channel's exception carries no message, and "null" tells nobody
 * anything). Stateless.
 */
final class Details {

    private Details() {
    }

    /**
     * As {@link #of(Throwable)}, but an answer over the aggregator's limit is said in its own words:
     * Netty's message quotes the whole head of the answer (status line and every header).
     */
    static String of(Throwable cause, ChannelHandlerContext ctx) {
        if (cause instanceof TooLongHttpContentException) {
            OneReadAggregator aggregator = ctx.pipeline().get(OneReadAggregator.class);
            return "the answer's body is over max_response_bytes"
                   + (aggregator == null ? "" : " (" + aggregator.maxContentLength() + " bytes)");
        }
        return of(cause);
    }

    static String of(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
