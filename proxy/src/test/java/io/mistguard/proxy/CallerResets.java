package io.mistguard.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * An outbound handler for the front of an {@code EmbeddedChannel}'s pipeline that fails every write
 * as a socket whose peer reset the connection does ("Connection reset by peer"), releasing what it
 * was given: nothing reaches the caller. Stateless.
 */
public final class CallerResets {

    /** The handler; {@code addFirst} it, so that it stands where the socket would. */
    public static final ChannelHandler EVERY_WRITE = new Handler();

    private CallerResets() {
    }

    @ChannelHandler.Sharable
    private static final class Handler extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ReferenceCountUtil.release(msg);
            promise.setFailure(new IOException("Connection reset by peer"));
        }
    }
}
