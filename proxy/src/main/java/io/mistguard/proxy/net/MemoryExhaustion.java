package io.mistguard.proxy.net;

import io.netty.channel.ChannelPipeline;

/**
 * Tells mistguard's own lack of memory from a peer's fault. Netty reserves every buffer from direct
 * memory, which the image caps at 32 MiB ({@code -XX:MaxDirectMemorySize}) for all messages in flight
 * together; when a read, a decoder or an aggregator cannot get a buffer, the JDK throws
 * {@code OutOfMemoryError} ("Cannot reserve … bytes of direct buffer memory") or Netty its
 * {@code OutOfDirectMemoryError}, and the handler that catches it sees that error, or a
 * {@code DecoderException} around it, as the failure of the connection it was reading. Such a
 * failure says nothing about Mist, catalyst-api or the caller: it must not be answered as
 * {@code bad-response} or {@code bad-request}, counted by a breaker, or retried while memory is short.
 *
 * <p>Stateless and thread-safe.
 */
public final class MemoryExhaustion {

    /** How deep a cause chain is followed: wrappers nest a few levels, and a cycle must end the walk. */
    private static final int MAX_DEPTH = 16;

    private MemoryExhaustion() {
    }

    /**
     * Frees what a connection holds of the message it is reading, so that the answer refusing it can
     * be written: the pipeline's {@link OneReadAggregator} leaves it, releasing the body gathered
     * so far (tens of MiB, when that is what used the memory up). What the decoder still hands on is
     * released by the last handler, as is anything that is not a whole message. Event loop only.
     */
    public static void dropMessageBeingRead(ChannelPipeline pipeline) {
        OneReadAggregator aggregator = pipeline.get(OneReadAggregator.class);
        if (aggregator != null) {
            pipeline.remove(aggregator);
        }
    }

    /**
     * Whether {@code failure}, or a cause of it up to 16 levels down, is an {@link OutOfMemoryError}.
     *
     * @param failure any throwable, or {@code null} (false)
     */
    public static boolean causedBy(Throwable failure) {
        Throwable cause = failure;
        for (int depth = 0; cause != null && depth < MAX_DEPTH; depth++) {
            if (cause instanceof OutOfMemoryError) {
                return true;
            }
            cause = cause.getCause();
        }
        return false;
    }
}
