package io.mistguard.proxy.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's {@link HttpObjectAggregator}, without its {@code CompositeByteBuf} for a message whose
 * head and whole body come in the same read: the usual case for a Mist answer and a catalyst
 * request. The base class gathers every body into a new composite buffer (three objects and a
 * component array, ~200 bytes, and an indirection on every later read of the content) even when
 * the body is one piece; here that piece becomes the message's content as it is.
 *
 * <p>How: the head of a message that is not yet whole is held until the next message. If that is
 * its last content, decoded cleanly and within {@code maxContentLength}, the message is built with
 * the base class's own {@code beginAggregation}, {@code aggregate} and {@code finishAggregation},
 * so it is the same {@code FullHttpMessage} the base class would make (chunked coding removed,
 * trailers merged, {@code Content-Length} set when absent). Anything else (a body in several
 * pieces, a decoding failure, a body over the limit, a read that ends after the head) goes through
 * the base class unchanged, the held head first: the head is never held past the end of a read.
 *
 * <p>It never answers an {@code Expect} itself ({@link #newContinueResponse} returns {@code null}):
 * an aggregator that would must not skip the base class's handling of the head. Not
 * {@link io.netty.channel.ChannelHandler.Sharable}: one instance per channel, used only from its
 * event loop.
 */
public class OneReadAggregator extends HttpObjectAggregator {

    /** The head of a message not yet whole, seen in the current read; null if none. */
    private HttpMessage held;
    /** The held head is being handed to the base class at the end of a read. */
    private boolean releasingHeld;
    /** The base class has a head whose last content it has not seen: it aggregates, nothing is held. */
    private boolean baseMidMessage;

    /** @param maxContentLength the largest body aggregated, in bytes, ≥ 0 (as the base class) */
    public OneReadAggregator(int maxContentLength) {
        super(maxContentLength);
    }

    /** Also the content that follows a held head, which the base class, not yet aggregating, would pass by. */
    @Override
    public boolean acceptInboundMessage(Object msg) throws Exception {
        return held != null && msg instanceof HttpContent || super.acceptInboundMessage(msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) throws Exception {
        if (releasingHeld) {
            passOn(ctx, msg, out);
            return;
        }
        HttpMessage head = held;
        if (head != null) {
            held = null;
            if (msg instanceof LastHttpContent last && !(msg instanceof HttpMessage)
                    && last.decoderResult().isSuccess() && last.content().readableBytes() <= maxContentLength()) {
                // retained: the decoder releases msg once this returns, and the message now owns the content
                FullHttpMessage whole = beginAggregation(head, last.content().retain());
                try {
                    aggregate(whole, last);
                    finishAggregation(whole);
                } catch (Exception | Error e) {
                    whole.release();
                    throw e;
                }
                out.add(whole);
                return;
            }
            passOn(ctx, head, out);
        }
        if (mayHold(msg)) {
            held = (HttpMessage) msg;
            return;
        }
        passOn(ctx, msg, out);
    }

    /** To the base class, as it would have come without this one. */
    private void passOn(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) throws Exception {
        if (msg instanceof LastHttpContent) {
            baseMidMessage = false; // a full message, or the end of the one it aggregates
        } else if (msg instanceof HttpMessage) {
            baseMidMessage = true;
        }
        super.decode(ctx, msg, out);
    }

    /** A head whose body is still to come, that the base class would only begin to aggregate. */
    private boolean mayHold(HttpObject msg) throws Exception {
        return !baseMidMessage && msg instanceof HttpMessage head && !(msg instanceof FullHttpMessage)
                && head.decoderResult().isSuccess() && !isContentLengthInvalid(head, maxContentLength());
    }

    /** The read is over: a head still held goes to the base class, which aggregates its body as it comes. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        try {
            releaseHeld(ctx);
        } finally {
            super.channelReadComplete(ctx); // passed on, and a read asked for when auto-read is off
        }
    }

    /** A head still held goes to the base class first, which tells a message cut short by the close. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        try {
            releaseHeld(ctx);
        } finally {
            super.channelInactive(ctx);
        }
    }

    /**
     * Leaving the pipeline: a held head is dropped, as the base class drops the message it was
     * aggregating (a head holds no buffer; nothing is fired from a handler being removed).
     */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
        held = null;
        super.handlerRemoved(ctx);
    }

    /** Hands a held head to the base class, as it would have come without this one. */
    private void releaseHeld(ChannelHandlerContext ctx) throws Exception {
        HttpMessage head = held;
        if (head != null) {
            held = null;
            releasingHeld = true;
            try {
                channelRead(ctx, head);
            } finally {
                releasingHeld = false;
            }
        }
    }

    /** Never an answer of its own: see the class comment. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        return null;
    }
}
