package io.mistguard.proxy.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First handler of an upstream connection: tells the connection's {@link UpstreamHandler} that
 * bytes arrived, before the codec and aggregator hide a partial answer. A call whose connection
 * ends after that is never sent again (see {@link UpstreamCall}'s keep-alive race). Passes every
 * message on untouched; one instance per upstream channel, used only from its event loop.
 */
final class AnswerStartWatch extends ChannelInboundHandlerAdapter {

    private final UpstreamHandler dispatch;

    AnswerStartWatch(UpstreamHandler dispatch) {
        this.dispatch = dispatch;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        dispatch.onBytes();
        ctx.fireChannelRead(msg);
    }
}
