package io.mistguard.proxy.server.tunnel;

import io.mistguard.proxy.net.ContentPieces;
import io.mistguard.proxy.net.OneReadAggregator;
import io.mistguard.proxy.upstream.HeadOnlyAnswers;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The pipelines of a tunnel, changed in named steps. Stateless; every step runs on the event loop the
 * two channels share.
 *
 * <p>Client side (built by {@code ProxyChannelInitializer} as
 * {@code limit → decoder → encoder → read-timeout → aggregator → proxy}; {@code proxy} keeps the
 * idle timeout of the HTTP connection):
 * <ol>
 *   <li>{@link #takeOverClient}: the handlers that read requests go ({@code proxy} — or whichever
 *       handler called the tunnel — {@code aggregator}, {@code read-timeout}, {@code decoder}; any
 *       of them may be missing) and {@code tunnel-hold} ({@link EarlyDataHold}) comes last.
 *       The {@code encoder} stays to write the answer: {@code limit → encoder → tunnel-hold}.</li>
 *   <li>{@link #establishClient}, after the 101 was written: {@code encoder} goes,
 *       {@code tunnel-idle} and {@code tunnel-relay} come, {@code tunnel-hold} goes and hands what it
 *       kept to the relay: {@code limit → tunnel-idle → tunnel-relay}.</li>
 * </ol>
 * Upstream side: {@code encoder → decoder → aggregator → handshake} ({@link #upstreamInitializer});
 * after a 101 {@link #removeUpstreamEncoder} then {@link #establishUpstream} leave
 * {@code tunnel-relay} alone, and whatever Mist sent right behind its 101 goes to the relay.
 *
 * <p>The encoders go before the first raw bytes can reach them, and each relay is added before the
 * handler whose leftovers flow into it is removed; {@link Tunnel#onAnswer} calls the steps in that
 * order.
 */
final class TunnelPipelines {

    static final String HOLD = "tunnel-hold";
    static final String IDLE = "tunnel-idle";
    static final String RELAY = "tunnel-relay";

    /** The client handlers that read HTTP requests, last first, so leftovers flow towards the hold. */
    private static final List<String> CLIENT_READERS = List.of("proxy", "aggregator", "read-timeout", "decoder");
    private static final String ENCODER = "encoder";
    private static final String DECODER = "decoder";
    private static final String AGGREGATOR = "aggregator";
    private static final String HEAD_ONLY = "head-only";
    private static final String HANDSHAKE = "handshake";
    private static final int MAX_RESPONSE_HEADER_BYTES = 64 * 1024;

    private TunnelPipelines() {
    }

    /** Step 1 on the client: the connection stops being read as HTTP; see the class comment. */
    static void takeOverClient(ChannelHandlerContext caller, EarlyDataHold hold) {
        ChannelPipeline pipeline = caller.pipeline();
        pipeline.addLast(HOLD, hold);
        if (!caller.isRemoved()) {
            pipeline.remove(caller.handler());
        }
        for (String name : CLIENT_READERS) {
            removeIfPresent(pipeline, name);
        }
        // Back-pressure needs explicit reads from here on: the tunnel's relays ask for each read.
        caller.channel().config().setAutoRead(false);
    }

    /** Step 2 on the client, after the 101 was written through the encoder. */
    static void establishClient(ChannelPipeline pipeline, Relay towardsMist, Duration idleTimeout) {
        removeIfPresent(pipeline, ENCODER);
        // Reads pass it on their way in, writes to the caller on their way out: one handler sees both
        // directions of the tunnel.
        pipeline.addLast(IDLE, new IdleStateHandler(0, 0, idleTimeout.toNanos(), TimeUnit.NANOSECONDS));
        pipeline.addLast(RELAY, towardsMist);
        removeIfPresent(pipeline, HOLD);
    }

    /** The upstream pipeline while the upgrade is answered. */
    static ChannelHandler upstreamInitializer(Tunnel tunnel, int maxResponseBytes) {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline()
                        .addLast(ENCODER, new HttpRequestEncoder())
                        .addLast(DECODER, new InterimWithoutBodyDecoder(new HttpDecoderConfig()
                                .setMaxHeaderSize(MAX_RESPONSE_HEADER_BYTES).setMaxChunkSize(ContentPieces.MAX_BYTES)))
                        .addLast(HEAD_ONLY, HeadOnlyAnswers.forTunnel()) // Mist's length-less 403 ends at its head
                        .addLast(AGGREGATOR, new OneReadAggregator(maxResponseBytes))
                        .addLast(HANDSHAKE, new HandshakeHandler(tunnel));
            }
        };
    }

    /** Upstream, before anything raw can be written to Mist. */
    static void removeUpstreamEncoder(ChannelPipeline pipeline) {
        removeIfPresent(pipeline, ENCODER);
    }

    /** Upstream, after the 101 was handed to the client. */
    static void establishUpstream(ChannelPipeline pipeline, Relay towardsCaller) {
        pipeline.addLast(RELAY, towardsCaller);
        removeIfPresent(pipeline, HANDSHAKE);
        removeIfPresent(pipeline, AGGREGATOR);
        removeIfPresent(pipeline, HEAD_ONLY);
        removeIfPresent(pipeline, DECODER);
    }

    private static void removeIfPresent(ChannelPipeline pipeline, String name) {
        if (pipeline.context(name) != null) {
            pipeline.remove(name);
        }
    }
}
