package io.mistguard.proxy.upstream;

import io.mistguard.proxy.net.IdleClock;
import io.mistguard.proxy.net.MemoryExhaustion;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of an upstream connection's pipeline: hands the aggregated final response (interim
 * 1xx answers are skipped), a close or an error to the {@link UpstreamCall} currently using the
 * connection, and closes a connection that sat unused in its pool (or its client's
 * {@link PrivateConnection}) for {@code upstream.idle_timeout}: the connection is busy while a call is
 * bound, and its {@link IdleClock} is touched when the final response hands it back (a fresh one is
 * idle from its connect).
 *
 * <p>One instance per upstream channel; only used from that channel's event loop, which is also the
 * event loop of the callers it serves, so its fields need no synchronisation.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    private final UpstreamPool pool;
    private final IdleClock idleClock;
    /** The connection's codec, asked whether an answer ended cleanly; null in tests without one. */
    private final UpstreamCodec codec;
    private UpstreamCall call;

    /** A handler behind no {@link UpstreamCodec} (tests that feed it messages): every answer ends cleanly. */
    UpstreamHandler(UpstreamPool pool, long idleTimeoutNanos) {
        this(pool, idleTimeoutNanos, null);
    }

    /**
     * @param idleTimeoutNanos how long the connection may sit unused before it is closed, > 0
     * @param codec            the connection's codec, which says whether each answer ended where the next may begin
     */
    UpstreamHandler(UpstreamPool pool, long idleTimeoutNanos, UpstreamCodec codec) {
        this.pool = pool;
        this.idleClock = new IdleClock(idleTimeoutNanos);
        this.codec = codec;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Closed once unused for the timeout: Mist may drop it any moment then, so we do first.
        idleClock.start(ctx, () -> call != null);
        ctx.fireChannelActive();
    }

    /** Binds the connection to a call until the call completes. */
    void bind(UpstreamCall call) {
        this.call = call;
    }

    void unbind() {
        this.call = null;
    }

    /**
     * Called by {@link AnswerStartWatch} for every read of raw bytes from the server; false when no
     * call is bound: the bytes answer no request, and the connection must not carry another.
     */
    boolean onBytes() {
        UpstreamCall current = call;
        if (current == null) {
            return false;
        }
        current.onAnswerBytes();
        return true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamCall current = call;
        if (current == null || !(msg instanceof FullHttpResponse response)) {
            // Mist never speaks first; bytes on an idle connection mean it is not reusable.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (isInterim(response)) {
            // RFC 9110 §15.2: a client must read and ignore an interim 1xx before the final answer
            // (a 100 Continue, a 103 Early Hints); the call waits on for that final answer.
            response.release();
            return;
        }
        call = null;
        idleClock.touch(); // unused from here until a call binds it again
        // Asked now, while the decoder is still handing this answer on: bytes it holds are past it.
        current.onResponse(response, codec == null || codec.answerEndedCleanly());
    }

    /** An interim answer: 1xx other than 101, which ends HTTP/1.1 on the connection and is final. */
    static boolean isInterim(FullHttpResponse response) {
        int code = response.status().code();
        return code >= 100 && code < 200 && code != 101 && response.decoderResult().isSuccess();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        idleClock.stop();
        UpstreamCall current = call;
        call = null;
        if (current != null) {
            current.onConnectionEnded("connection closed before a complete response");
        } else {
            pool.forget(ctx.channel());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamCall current = call;
        call = null;
        if (current != null) {
            if (cause instanceof java.io.IOException) {
                current.onConnectionEnded(Details.of(cause)); // reset, broken pipe
            } else {
                if (MemoryExhaustion.causedBy(cause)) {
                    // Give back what the answer took before the caller is answered: that answer needs memory too.
                    MemoryExhaustion.dropMessageBeingRead(ctx.pipeline());
                }
                current.onFailure(UpstreamFailure.unlessOutOfMemory(cause, cause instanceof TooLongFrameException
                        ? UpstreamFailure.RESPONSE_TOO_LARGE : UpstreamFailure.BAD_RESPONSE), Details.of(cause, ctx));
            }
        }
        ctx.close();
    }

    /**
     * Mist's FIN (the connection is kept half-closed for it, {@code ALLOW_HALF_CLOSURE}): a call waiting
     * on the connection decides, and closes it ({@link UpstreamCall#onPeerClosed}); an idle one is
     * closed, and so never handed out again. The decoder has already ended a close-delimited answer.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            UpstreamCall current = call;
            if (current != null) {
                current.onPeerClosed();
            } else {
                ctx.close();
            }
        }
        ReferenceCountUtil.release(evt);
    }
}
