package io.mistguard.proxy.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection after a refusal without losing the refusal (RFC 9112 §9.6). A refusal is
 * often written while the peer is still sending: the request over the connection cap before it was
 * read, the rest of a body over the limit, a head trickled past its timeout. Closing a socket that
 * still has unread bytes, or that receives more, makes the kernel send a reset, and a reset can
 * reach the peer before it has read the answer, which it then never sees (it worked on loopback in
 * 195 of 200 tries, and is known to fail over real networks). So, once the answer is written: the
 * sending side is shut down (the peer reads the answer, then the end), everything the peer still
 * sends is read and dropped, and the connection is closed when the peer closes its side, after
 * {@link #LINGER_MILLIS}, or after {@link #MAX_DISCARDED_BYTES}, whichever comes first. Apache's and
 * nginx's {@code lingering_close} do the same.
 *
 * <p>The handlers of the pipeline are removed first (a decoder must not read what follows a
 * refusal), except a {@link ConnectionCap}, which still counts the connection until it closes. A
 * channel that cannot shut down one side (an {@code EmbeddedChannel}) is closed at once. Stateless
 * listener; each lingering connection gets its own small handler, on its own event loop.
 */
public final class LingeringClose implements ChannelFutureListener {

    /** Use as {@code ctx.writeAndFlush(refusal).addListener(LingeringClose.AFTER_WRITE)}. */
    public static final LingeringClose AFTER_WRITE = new LingeringClose();
    /** The longest a refused peer is read from before the connection is closed regardless. */
    public static final long LINGER_MILLIS = 2_000;
    /** The most a refused peer may still send before the connection is closed regardless. */
    public static final long MAX_DISCARDED_BYTES = 256 * 1024;

    private LingeringClose() {
    }

    @Override
    public void operationComplete(ChannelFuture written) {
        Channel channel = written.channel();
        if (!written.isSuccess() || !channel.isActive() || !(channel instanceof DuplexChannel duplex)
                || duplex.isInputShutdown()) {
            channel.close();
            return;
        }
        ChannelPipeline pipeline = channel.pipeline();
        Discard discard = new Discard();
        pipeline.addLast("linger", discard);
        // From the tail towards the head: what a decoder still holds when it leaves goes to the discard.
        java.util.List<String> names = pipeline.names();
        for (int i = names.size() - 1; i >= 0; i--) {
            ChannelHandler handler = pipeline.get(names.get(i));
            if (handler != null && handler != discard && !(handler instanceof ConnectionCap)) {
                pipeline.remove(handler);
            }
        }
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        duplex.shutdownOutput().addListener((ChannelFuture shut) -> {
            if (!shut.isSuccess()) {
                channel.close();
                return;
            }
            channel.config().setAutoRead(true);
            channel.read();
        });
    }

    /** Reads and drops what the refused peer still sends; closes at its end or past the byte bound. */
    private static final class Discard extends ChannelInboundHandlerAdapter {

        private long discarded;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf bytes) {
                discarded += bytes.readableBytes();
            }
            ReferenceCountUtil.release(msg);
            if (discarded > MAX_DISCARDED_BYTES) {
                ctx.close();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent || evt == ChannelInputShutdownReadComplete.INSTANCE) {
                ctx.close(); // the peer read the answer and closed its side
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
