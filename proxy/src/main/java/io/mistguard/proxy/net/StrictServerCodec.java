package io.mistguard.proxy.net;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * The HTTP/1.1 server codec of every mistguard listener: a {@link StrictRequestDecoder} named
 * {@value #DECODER} and a {@link CallerResponseEncoder} named {@value #ENCODER}, sharing the queue of
 * methods of requests not yet answered (what Netty's {@code HttpServerCodec} shares, with the strict
 * reading of the request head). One call per channel, from its initializer; stateless itself.
 */
public final class StrictServerCodec {

    /** The decoder's name in the pipeline. */
    public static final String DECODER = "decoder";
    /** The encoder's name in the pipeline. */
    public static final String ENCODER = "encoder";

    private StrictServerCodec() {
    }

    /**
     * Adds the decoder and the encoder at the end of {@code pipeline}.
     *
     * @param maxInitialLineBytes the longest request line read, in bytes (longer: 414)
     * @param maxHeaderBytes the largest header block read, in bytes (larger: 431)
     */
    public static void addLast(ChannelPipeline pipeline, int maxInitialLineBytes, int maxHeaderBytes) {
        Queue<HttpMethod> requestMethods = new ArrayDeque<>(4); // decoded, not yet answered (see the encoder)
        pipeline.addLast(DECODER, new StrictRequestDecoder(maxInitialLineBytes, maxHeaderBytes, requestMethods));
        pipeline.addLast(ENCODER, new CallerResponseEncoder(requestMethods));
    }
}
