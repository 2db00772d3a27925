package io.mistguard.proxy.server.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the bytes its channel reads to the peer channel, with back-pressure: the channel does not
 * auto-read, and the next read is asked for only once the previous buffer has been written to the
 * peer (Netty's HexDumpProxy idiom). A slow reader on one side therefore slows the sender on the
 * other instead of filling memory; at most one buffer per direction is in flight.
 *
 * <p>When its channel closes, or its peer sends a FIN (the listener allows half-closure, which a
 * WebSocket never uses), the peer is closed once what was already sent to it has been flushed.
 * An {@link IdleStateEvent} (from the tunnel's idle handler in front of it) closes its channel, and
 * with it the peer. Anything other than bytes is released and closes the channel: after the upgrade
 * no HTTP handler is left to produce it.
 *
 * <p>Last handler of both pipelines of an established tunnel, one instance per side. Both channels
 * share one event loop, so no field needs synchronisation.
 */
final class Relay extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private final Channel peer;
    private ChannelHandlerContext ctx;
    private int writing;
    private boolean started;

    Relay(Channel peer) {
        this.peer = peer;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Starts copying once both sides are switched over, unless bytes handed over during the switch
     * are still being written (their completion asks for the next read then).
     */
    void start() {
        started = true;
        if (writing == 0) {
            ctx.read();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        writing++;
        peer.writeAndFlush(msg).addListener((ChannelFuture f) -> written(f));
    }

    private void written(ChannelFuture future) {
        writing--;
        if (!future.isSuccess()) {
            peer.close();
            ctx.close();
            return;
        }
        if (started && writing == 0) {
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            log.debug("[{}] closing idle tunnel", ctx.channel().id());
            ctx.close();
        } else if (evt instanceof ChannelInputShutdownEvent) {
            // The side shut down its sending (the proxy's listener allows half-closure): a WebSocket
            // peer that does so is done, as Mist itself treats a FIN. Closing lets the peer flush.
            log.debug("[{}] tunnel side sent FIN: closing", ctx.channel().id());
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("[{}] closing tunnel: {}", ctx.channel().id(), cause.toString());
        ctx.close();
    }
}
