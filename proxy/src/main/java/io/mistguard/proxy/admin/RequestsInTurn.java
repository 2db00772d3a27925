package io.mistguard.proxy.admin;

import io.mistguard.proxy.net.ContinueExpected;
import io.mistguard.proxy.net.OwedContinue;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Hands an admin connection's requests to {@link AdminHandler} one at a time, so that its answers
 * leave in the order the requests came (RFC 9112 §9.3.2). Most admin answers are written before the
 * request's read returns; a reload's comes later, from its own thread, and a request pipelined behind
 * it was answered first. Now a request that arrives while an answer is owed waits here (the channel
 * stops reading until it has been handed on), and so does a {@code 100 Continue} the aggregator asked
 * for ({@link ContinueExpected}, {@link OwedContinue}). The end of the caller's input
 * ({@link ChannelInputShutdownEvent}) is passed on only once nothing waits, so that what was
 * pipelined before it is still answered; no 100 is sent after it.
 *
 * <p>What waits is bounded by one read (the channel stops reading while anything waits) and by
 * Netty's {@code HttpServerCodec}, which closes a connection with more than 128 requests decoded and
 * not yet answered: a caller that pipelines that many behind a reload loses its connection.
 *
 * <p>An answer counts as written when its final (non-1xx) head is written and flushed; one that
 * closes the connection ({@code Connection: close}) ends it, and what waits is released on close.
 * One instance per channel, used only from its event loop.
 */
final class RequestsInTurn extends ChannelDuplexHandler {

    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>(2);
    private boolean answerOwed;
    /** An answer that keeps the connection open was written and awaits its flush. */
    private boolean answerWritten;
    private final OwedContinue owedContinue = new OwedContinue();
    private Object inputShutdown;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg == ContinueExpected.INSTANCE) {
            owedContinue.expected(ctx, answerOwed);
            return;
        }
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        owedContinue.requestWhole();
        if (answerOwed) {
            waiting.add(request);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        answerOwed = true;
        ctx.fireChannelRead(request);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && response.status().code() >= 200 && HttpUtil.isKeepAlive(response)) {
            answerWritten = true;
        }
        ctx.write(msg, promise);
    }

    /**
     * Once the answer is flushed, the next request: nothing it leads to (a close) overtakes the answer.
     * But not while the socket takes no more (the channel is not writable: the caller does not read
     * its answers): then the next request waits for the socket to drain
     * ({@link #channelWritabilityChanged}), the channel stops reading, and answers no longer pile up.
     * Handing on regardless let a caller that pipelined {@code GET /healthz} in a loop and never read
     * fill direct memory until no listener of the process answered anyone.
     */
    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
        if (!handOnIfWritable(ctx) && answerWritten) {
            ctx.channel().config().setAutoRead(false); // resumed by next() once the socket drains
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        handOnIfWritable(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    /** Hands on the next request if an answer was written and the socket takes more; whether it did. */
    private boolean handOnIfWritable(ChannelHandlerContext ctx) {
        if (!answerWritten || !ctx.channel().isWritable()) {
            return false;
        }
        answerWritten = false;
        answerOwed = false;
        next(ctx);
        return true;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            owedContinue.inputEnded(); // the body it would ask for can no longer come
        }
        if (evt instanceof ChannelInputShutdownEvent && !waiting.isEmpty()) {
            inputShutdown = evt; // passed on once what came before it has been handed on
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    /** Hands on the oldest waiting request, or sends an owed 100 Continue and reads again. */
    private void next(ChannelHandlerContext ctx) {
        FullHttpRequest request = waiting.poll();
        if (request != null) {
            answerOwed = true;
            ctx.fireChannelRead(request); // its answer may be written from within: this runs again
        } else {
            owedContinue.turnCame(ctx);
            if (!ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
        }
        if (waiting.isEmpty() && inputShutdown != null) {
            Object evt = inputShutdown;
            inputShutdown = null;
            ctx.fireUserEventTriggered(evt);
        }
    }

    private void release() {
        FullHttpRequest request;
        while ((request = waiting.poll()) != null) {
            ReferenceCountUtil.release(request);
        }
    }
}
