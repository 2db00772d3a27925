package io.mistguard.proxy.server.tunnel;

import io.mistguard.proxy.server.ClientHalfClose;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps whatever a caller sends after its upgrade request until Mist has answered it.
 *
 * <p>Last handler of the client pipeline from the moment a tunnel takes the connection over until the
 * answer. A WebSocket client must wait for the 101 before it sends (RFC 6455 §4.1), yet the tunnel
 * keeps one read pending on the caller meanwhile, so that a caller who hangs up is noticed at once
 * (NIO sees a peer's close only while reading). Bytes that arrive are kept, no further read is asked
 * for, and when this handler is removed they are handed on in order — to the relay, which sends them
 * to Mist — or released if the connection is gone. Anything other than bytes (a request pipelined
 * behind the upgrade, flushed out of the HTTP handlers as they were removed) means the caller does
 * not speak WebSocket: it is released and the connection closed.
 *
 * <p>A FIN (the listener allows half-closure) does not close the connection: the caller may only
 * have shut down its sending side ({@code nc}, health checks) and still be reading, and Mist itself
 * answers such a caller — its 101 and the frames it sends at once, or its refusal — before it reads
 * the FIN and closes. The tunnel passes the FIN on to Mist once the 101 is through
 * ({@link #inputShutdown()}); the relay then closes both sides on it ({@code Relay}), so frames Mist
 * sends after the 101's own are not relayed to such a caller. Found by review: the FIN closed the connection at once, and a
 * half-closed caller got no answer at all. A caller that has really gone looks the same until data
 * is sent to it, so, as on the API path, one whose answer is not under way
 * {@link ClientHalfClose#PROBE_AFTER_MS} after its FIN gets an interim {@code 100 Continue}
 * ({@link ClientHalfClose}; an upgrade is always HTTP/1.1): a gone caller resets it and the
 * connection closes, which closes Mist's at once.
 *
 * <p>One instance per tunnel; used only from the client's event loop.
 */
final class EarlyDataHold extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(EarlyDataHold.class);

    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
    private boolean inputShutdown;
    /** Set once the caller's answer is under way: no probe may go out any more. */
    private boolean answering;
    private ScheduledFuture<?> probe;

    /** Whether the caller sent a FIN before Mist answered: nothing more will come from it. */
    boolean inputShutdown() {
        return inputShutdown;
    }

    /** The tunnel is about to write the caller's answer (the 101 or a refusal): no probe after it. */
    void answering() {
        answering = true;
        cancelProbe();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            held.add(bytes);
            return;
        }
        ReferenceCountUtil.release(msg);
        log.debug("[{}] closing: an HTTP message followed the upgrade request", ctx.channel().id());
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // No further read: the one pending read was only there to notice a close.
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelProbe();
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelProbe();
        if (!ctx.channel().isActive()) {
            releaseHeld();
            return;
        }
        for (ByteBuf bytes = held.poll(); bytes != null; bytes = held.poll()) {
            ctx.fireChannelRead(bytes);
        }
    }

    /**
     * A FIN before Mist's answer (see the class comment): the caller still gets its answer. The
     * read-complete event is the one a FIN that the HTTP handlers saw first leaves behind.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if ((evt instanceof ChannelInputShutdownEvent || evt instanceof ChannelInputShutdownReadComplete)
                && !inputShutdown) {
            log.debug("[{}] the caller sent FIN during the upgrade; answering it first", ctx.channel().id());
            inputShutdown = true;
            if (!answering) {
                probe = ctx.executor().schedule(() -> {
                    probe = null;
                    if (!answering && ctx.channel().isActive()) {
                        ClientHalfClose.probe(ctx); // closes the connection if the caller is gone
                    }
                }, ClientHalfClose.PROBE_AFTER_MS, TimeUnit.MILLISECONDS);
            }
        }
        ReferenceCountUtil.release(evt);
    }

    private void cancelProbe() {
        if (probe != null) {
            probe.cancel(false);
            probe = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("[{}] closing client connection during upgrade: {}", ctx.channel().id(), cause.toString());
        ctx.close();
    }

    private void releaseHeld() {
        for (ByteBuf bytes = held.poll(); bytes != null; bytes = held.poll()) {
            bytes.release();
        }
    }
}
