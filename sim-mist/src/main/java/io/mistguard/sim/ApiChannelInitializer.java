package io.mistguard.sim;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Builds the API port's pipeline in named steps: connection tracking, HTTP/1.1 codec, aggregation
 * of whole requests (Mist reads whole requests too), then the Mist handler.
 */
final class ApiChannelInitializer extends ChannelInitializer<SocketChannel> {

    static final int MAX_REQUEST_BYTES = 16 * 1024 * 1024;

    private final SimContext sim;
    private final ChannelGroup channels;

    ApiChannelInitializer(SimContext sim, ChannelGroup channels) {
        this.sim = sim;
        this.channels = channels;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        addTracking(p);
        addHttp(p);
        p.addLast("mist", new ApiRequestHandler(sim));
    }

    private void addTracking(ChannelPipeline p) {
        p.addLast("tracker", new ConnectionTracker(sim.recording(), channels));
    }

    private static void addHttp(ChannelPipeline p) {
        p.addLast("http", new HttpServerCodec());
        p.addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES));
    }
}
