package io.mistguard.sim.api;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * Builds the API port's pipeline in named steps: connection tracking, an HTTP/1.1 request decoder and
 * response encoder, aggregation of whole requests (Mist reads whole requests too), the gate that
 * serves one request per socket read as Mist does, then the Mist handler.
 *
 * <p>The decoder and encoder are separate handlers rather than an {@code HttpServerCodec}, whose
 * encoder drops the body of a reply to {@code HEAD}; Mist sends it (mist-api.md §8). A handler that
 * must put raw bytes on the wire writes them from the encoder's context, {@link #HTTP_ENCODER}.
 */
final class ApiChannelInitializer extends ChannelInitializer<SocketChannel> {

    static final int MAX_REQUEST_BYTES = 16 * 1024 * 1024;
    static final String HTTP_ENCODER = "http-encoder";
    static final String GATE = "gate";
    static final String MIST = "mist";

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
        RequestGate gate = new RequestGate(sim.recording());
        p.addLast(GATE, gate);
        p.addLast(MIST, new ApiRequestHandler(sim, gate));
    }

    private void addTracking(ChannelPipeline p) {
        p.addLast("tracker", new ConnectionTracker(sim.recording(), channels));
    }

    private static void addHttp(ChannelPipeline p) {
        p.addLast("http-decoder", new HttpRequestDecoder());
        p.addLast(HTTP_ENCODER, new HttpResponseEncoder());
        p.addLast("aggregator", new SilentContinueAggregator(MAX_REQUEST_BYTES));
    }
}
