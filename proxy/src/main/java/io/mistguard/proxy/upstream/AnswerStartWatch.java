package io.mistguard.proxy.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * First handler of an upstream connection: tells the connection's {@link UpstreamHandler} that
 * bytes arrived, before the codec and aggregator hide a partial answer. A call whose connection
 * ends after that is never sent again (see {@link UpstreamCall}'s keep-alive race). Bytes that
 * arrive while no call is bound close the connection, so that they never reach a later call (bytes
 * read in the same read as an answer's end are {@link UpstreamCodec}'s to see). Passes every other
 * message on untouched; one instance per upstream channel, used only from its event loop.
 */
final class AnswerStartWatch extends ChannelInboundHandlerAdapter {

    private final UpstreamHandler dispatch;

    AnswerStartWatch(UpstreamHandler dispatch) {
        this.dispatch = dispatch;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!dispatch.onBytes()) {
            // No request is outstanding, so these bytes answer none: what is left of an answer that
            // framed itself wrongly (a body after a 204 that announced none), or a server speaking
            // unasked. Held by the decoder, they would be read as the start of the next request's
            // answer, or glue its head to theirs (found by review, twice): the connection goes instead.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
