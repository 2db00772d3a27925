package io.mistguard.proxy.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The request-read and idle timeouts of a listener built on {@link StrictServerCodec} (the
 * admin and trigger listeners; the proxy listener has its own, with separate head and body limits).
 * Without them a peer could hold a connection, and its file descriptor, for ever: by sending a request
 * a byte a second (slowloris), by stopping half way through one, or by connecting and never sending.
 *
 * <ul>
 *   <li>A request must arrive whole within {@code arrival} of its first byte; else a 408 that closes
 *       the connection (RFC 9110 §15.5.9). Its clock starts again when an answer owed to an earlier
 *       request of the connection goes out, since reading may be held back meanwhile.
 *   <li>A connection with no request in progress and no answer owed is closed after {@code idle}
 *       without a byte ({@link IdleClock}); so is one whose peer has stopped reading its answers
 *       (not writable) and sends nothing. Bare CRLFs are no activity. Optional ({@code null}).
 * </ul>
 *
 * <p>Two handlers share one instance: {@link #bytes()} goes before the codec (it sees the first byte
 * of each request), {@link #requests()} right after it (it sees each request end and each answer
 * go out). A request that arrives whole in one read, the usual case, costs no timer. The first bytes
 * of a request that come in the same read as the end of the one before are timed from the next read
 * that brings more (until then the connection is bounded by its idle timeout). One instance
 * per channel, used only from its event loop; not thread-safe.
 */
public final class RequestArrivalTimeout {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final long arrivalNanos;
    private final Function<FullHttpResponse, ChannelFutureListener> onTimeout;
    private final IdleClock idleClock;
    private final Bytes bytes = new Bytes();
    private final Requests requests = new Requests();
    private ChannelHandlerContext requestsCtx;
    /** Between a request's first byte and its end. */
    private boolean inRequest;
    private long started;
    private ScheduledFuture<?> timer;
    /** Requests received whole, and final answers written: unequal while one is being answered. */
    private long received;
    private long answered;
    private boolean idleStarted;

    /**
     * @param arrival how long a request may take to arrive from its first byte, > 0
     * @param idle how long a connection may sit with nothing in progress; {@code null} for no idle timeout here
     * @param onTimeout given each 408 on the event loop just before it is sent (to count it, and say
     *                  what to do once its write settles: log it, say); returns that listener, or
     *                  {@code null} for none; must not block, and must not release or change the 408
     */
    public RequestArrivalTimeout(Duration arrival, Duration idle,
                                 Function<FullHttpResponse, ChannelFutureListener> onTimeout) {
        if (arrival.isNegative() || arrival.isZero()) {
            throw new IllegalArgumentException("arrival: " + arrival + " (expected: > 0)");
        }
        this.arrivalNanos = arrival.toNanos();
        this.idleClock = idle == null ? null : new IdleClock(idle.toNanos());
        this.onTimeout = onTimeout;
    }

    /** The handler that goes before the HTTP codec. */
    public ChannelHandler bytes() {
        return bytes;
    }

    /** The handler that goes right after the HTTP codec, before any aggregator. */
    public ChannelHandler requests() {
        return requests;
    }

    private final class Bytes extends ChannelInboundHandlerAdapter {

        /** This read brought bytes other than the CRLFs allowed between requests (RFC 9112 §2.2). */
        private boolean requestBytes;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf in && in.forEachByte(b -> b == CR || b == LF) >= 0) {
                requestBytes = true;
                if (!inRequest) {
                    inRequest = true;
                    started = ctx.executor().ticker().nanoTime();
                }
            }
            ctx.fireChannelRead(msg);
        }

        /** After the codec has decoded what this read brought: a request still incomplete gets its timer. */
        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (inRequest && timer == null && requestsCtx != null) {
                arm(ctx, Math.max(0, arrivalNanos - (ctx.executor().ticker().nanoTime() - started)));
            }
            if (idleClock != null && requestBytes) {
                idleClock.touch(); // bare CRLFs are no activity: else a CRLF a minute held a connection for ever
            }
            requestBytes = false;
            ctx.fireChannelReadComplete();
        }
    }

    private final class Requests extends ChannelDuplexHandler {

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            requestsCtx = ctx;
            if (ctx.channel().isActive()) {
                startIdleClock(ctx);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            startIdleClock(ctx);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof LastHttpContent) {
                received++;
                inRequest = false;
                cancel();
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpResponse response && response.status().code() >= 200) {
                answered++;
                if (answered == received && timer != null) {
                    cancel(); // the last answer owed: a request partly in is timed from now
                    restart(ctx);
                }
                if (idleClock != null) {
                    idleClock.touch();
                }
            }
            ctx.write(msg, promise);
        }

        /** The peer read some of what was written: that is activity. */
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (idleClock != null && ctx.channel().isWritable()) {
                idleClock.touch();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            stop();
            ctx.fireChannelInactive();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            stop();
        }
    }

    private void startIdleClock(ChannelHandlerContext ctx) {
        if (idleClock != null && !idleStarted) {
            idleStarted = true;
            idleClock.start(ctx, this::busy);
        }
    }

    /**
     * A request coming in or being answered keeps the connection from being idle, unless the peer has
     * stopped reading what it asked for (the channel is not writable): a caller that pipelines
     * requests, then neither reads nor sends, would otherwise hold its connection for ever.
     */
    private boolean busy() {
        ChannelHandlerContext ctx = requestsCtx;
        boolean peerStalled = ctx != null && !ctx.channel().isWritable();
        return (inRequest || answered < received) && !peerStalled;
    }

    private void expire() {
        timer = null;
        ChannelHandlerContext ctx = requestsCtx;
        if (ctx == null || !ctx.channel().isActive() || !inRequest) {
            return;
        }
        if (answered < received) {
            // an earlier request is being answered, and reading may be held back meanwhile: start over
            restart(ctx);
            return;
        }
        inRequest = false;
        byte[] text = ("mistguard: 408 Request Timeout: the request did not arrive within "
                       + TimeUnit.NANOSECONDS.toMillis(arrivalNanos) + " ms\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse timeout = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.wrappedBuffer(text));
        timeout.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
               .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
               .setInt(HttpHeaderNames.CONTENT_LENGTH, text.length);
        ChannelFutureListener onceSent = onTimeout.apply(timeout);
        ChannelFuture written = ctx.writeAndFlush(timeout);
        if (onceSent != null) {
            written.addListener(onceSent);
        }
        written.addListener(LingeringClose.AFTER_WRITE); // the peer may still be sending
    }

    /** The request's clock starts again now, with the whole of {@code arrival} to go. */
    private void restart(ChannelHandlerContext ctx) {
        started = ctx.executor().ticker().nanoTime();
        arm(ctx, arrivalNanos);
    }

    private void arm(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(this::expire, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void stop() {
        cancel();
        if (idleClock != null) {
            idleClock.stop();
        }
        requestsCtx = null;
    }
}
