package io.mistguard.proxy.server.tunnel;

import io.mistguard.proxy.upstream.UpstreamFailure;
import io.mistguard.proxy.net.MemoryExhaustion;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * Last handler of a tunnel's upstream pipeline while the upgrade is being answered: hands Mist's
 * aggregated answer, an early close or an error to its {@link Tunnel}, and keeps reading (the channel
 * does not auto-read) until the answer is complete. Removed when Mist answers 101.
 *
 * <p>One instance per tunnel; used only from the event loop the tunnel shares with its caller.
 */
final class HandshakeHandler extends ChannelInboundHandlerAdapter {

    private final Tunnel tunnel;

    HandshakeHandler(Tunnel tunnel) {
        this.tunnel = tunnel;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpResponse response) {
            tunnel.onAnswer(response);
        } else {
            ReferenceCountUtil.release(msg); // the aggregator passes nothing else before a 101
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (tunnel.awaitingAnswer()) {
            ctx.read(); // the answer is not complete yet
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        tunnel.fail(UpstreamFailure.RESET, "Mist closed the connection before answering the upgrade");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamFailure failure = cause instanceof IOException ? UpstreamFailure.RESET
                : UpstreamFailure.unlessOutOfMemory(cause, cause instanceof TooLongFrameException
                        ? UpstreamFailure.RESPONSE_TOO_LARGE : UpstreamFailure.BAD_RESPONSE);
        if (failure == UpstreamFailure.OUT_OF_MEMORY) {
            MemoryExhaustion.dropMessageBeingRead(ctx.pipeline()); // the caller's answer needs memory too
        }
        tunnel.fail(failure, String.valueOf(cause.getMessage()));
        ctx.close();
    }
}
