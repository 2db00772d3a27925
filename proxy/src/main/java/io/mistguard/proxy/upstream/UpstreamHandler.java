package io.mistguard.proxy.upstream;

import io.mistguard.proxy.time.LoopTimer;
import io.mistguard.proxy.time.LoopTimers;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of an upstream connection's pipeline: hands the aggregated final response (interim
 * 1xx answers are skipped), a close or an error to the {@link UpstreamCall} currently using the
 * connection, and closes a connection that sat unused in its pool (or its client's
 * {@link PrivateConnection}) for {@code upstream.idle_timeout}.
 *
 * <p>The idle clock is one {@link LoopTimers} timeout, armed when the connection is parked and
 * cancelled when a call takes it: O(1) each way. (An {@code IdleStateHandler} in the pipeline did the
 * same from every read and write: two more handlers on the data path, two clock reads and a write
 * listener per request.)
 *
 * <p>One instance per upstream channel; only used from that channel's event loop, which is also the
 * event loop of the callers it serves, so its fields need no synchronisation.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    private final UpstreamPool pool;
    private final long idleTimeoutNanos;
    private ChannelHandlerContext ctx;
    private UpstreamCall call;
    private LoopTimer idleTimer;

    /** @param idleTimeoutNanos how long the connection may sit parked before it is closed, > 0 */
    UpstreamHandler(UpstreamPool pool, long idleTimeoutNanos) {
        this.pool = pool;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Binds the connection to a call until the call completes; it is no longer idle. */
    void bind(UpstreamCall call) {
        this.call = call;
        cancelIdleTimer();
    }

    /**
     * The connection was parked for a later call (in the pool or a private holder): it is closed if no
     * call takes it within the idle timeout, before Mist may drop it under a caller.
     */
    void parked() {
        cancelIdleTimer();
        idleTimer = LoopTimers.schedule(ctx.channel().eventLoop(), LoopTimers.Kind.UPSTREAM_IDLE, this::onIdleTimeout,
                                        idleTimeoutNanos);
    }

    private void onIdleTimeout() {
        idleTimer = null;
        if (call == null) {
            ctx.close(); // idle for too long: Mist may drop it any moment, so we do first
        }
    }

    private void cancelIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel();
            idleTimer = null;
        }
    }

    void unbind() {
        this.call = null;
    }

    /** Called by {@link AnswerStartWatch} for every read of raw bytes from Mist. */
    void onBytes() {
        UpstreamCall current = call;
        if (current != null) {
            current.onAnswerBytes();
        }
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
        current.onResponse(response);
    }

    /** An interim answer: 1xx other than 101, which ends HTTP/1.1 on the connection and is final. */
    static boolean isInterim(FullHttpResponse response) {
        int code = response.status().code();
        return code >= 100 && code < 200 && code != 101 && response.decoderResult().isSuccess();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelIdleTimer();
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
                current.onFailure(cause instanceof TooLongFrameException ? UpstreamFailure.RESPONSE_TOO_LARGE
                                  : UpstreamFailure.BAD_RESPONSE, Details.of(cause));
            }
        }
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ReferenceCountUtil.release(evt);
    }
}
