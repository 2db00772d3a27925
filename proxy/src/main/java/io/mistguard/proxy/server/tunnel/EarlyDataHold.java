package io.mistguard.proxy.server.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
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
 * <p>One instance per tunnel; used only from the client's event loop.
 */
final class EarlyDataHold extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(EarlyDataHold.class);

    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();

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
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            releaseHeld();
            return;
        }
        for (ByteBuf bytes = held.poll(); bytes != null; bytes = held.poll()) {
            ctx.fireChannelRead(bytes);
        }
    }

    /** A FIN before the 101: a WebSocket client that has stopped sending is gone; so is its tunnel. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            log.debug("[{}] closing: the caller sent FIN during the upgrade", ctx.channel().id());
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
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
