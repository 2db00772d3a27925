package io.mistguard.sim.api;

import io.mistguard.sim.record.Recording;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import java.io.IOException;

/**
 * First handler of the API pipeline: counts connections opened, open and closed by the peer, ends
 * the in-flight accounting of requests that never got an answer, and lets a peer reset close the
 * channel quietly. Runs on the channel's event loop; shares only thread-safe {@link Recording}.
 */
final class ConnectionTracker extends ChannelInboundHandlerAdapter {

    private final Recording recording;
    private final ChannelGroup channels;

    ConnectionTracker(Recording recording, ChannelGroup channels) {
        this.recording = recording;
        this.channels = channels;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Connections.init(ctx.channel());
        channels.add(ctx.channel());
        recording.connectionOpened();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Connections.endAll(ctx.channel());
        recording.connectionClosed();
        if (!Connections.closedByUs(ctx.channel())) {
            recording.connectionClosedByPeer();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            Connections.closeByUs(ctx.channel());
            return;
        }
        // A reset by the peer is the peer closing: let the channel close without marking it ours.
        ctx.close();
    }
}
