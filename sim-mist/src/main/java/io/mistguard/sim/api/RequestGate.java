package io.mistguard.sim.api;

import io.mistguard.sim.record.Recording;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Serves requests the way Mist's connection loop does (mist-api.md §8): one request at a time, and at
 * most one per socket read. Mist reads what the socket holds, parses one request, answers it, and only
 * parses the next when another read brings more bytes, so a second request pipelined behind the first
 * waits until the client sends something else. Bytes that arrive while a request is being served are
 * noticed once that request is answered, as Mist's next read would find them.
 *
 * <p>Sits after the aggregator and before the Mist handler; one instance per channel, event-loop
 * confined. A "read" is one {@code channelReadComplete} (Netty's read loop drains the socket, as
 * Mist's read does). Every request that completes while an earlier one on the connection is queued
 * or unanswered is counted in {@link Recording#pipelinedRequests()}. Queued requests are released
 * when the channel closes or the gate is removed (a WebSocket upgrade).
 */
final class RequestGate extends ChannelInboundHandlerAdapter {

    private final Recording recording;
    private final Queue<FullHttpRequest> complete = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    /** A served request has not been answered yet. */
    private boolean busy;
    /** Bytes arrived while busy: Mist's next read, after the answer, will find them. */
    private boolean readWhileBusy;

    RequestGate(Recording recording) {
        this.recording = recording;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (busy || !complete.isEmpty()) {
            recording.pipelinedRequest();
        }
        complete.add(request);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (busy) {
            readWhileBusy = true;
        } else {
            serveOne();
        }
        ctx.fireChannelReadComplete();
    }

    /** The request last served has been answered; must be called once per served request, on the event loop. */
    void answered() {
        busy = false;
        if (readWhileBusy) {
            readWhileBusy = false;
            serveOne();
        }
    }

    private void serveOne() {
        FullHttpRequest next = complete.poll();
        if (next == null) {
            return;
        }
        if (!ctx.channel().isActive()) {
            next.release();
            return;
        }
        busy = true;
        ctx.fireChannelRead(next);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseQueued();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseQueued();
    }

    private void releaseQueued() {
        for (FullHttpRequest r; (r = complete.poll()) != null; ) {
            r.release();
        }
    }
}
