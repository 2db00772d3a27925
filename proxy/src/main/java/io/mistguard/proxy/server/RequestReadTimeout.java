package io.mistguard.proxy.server;

import io.mistguard.proxy.net.LingeringClose;
import io.mistguard.proxy.net.StrictRequestDecoder;
import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.AnswerHeaders;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.ProxyResponses;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Bounds how long a request may take to arrive: its head within {@code limits.header_read_timeout}
 * of its first byte (slowloris: headers trickled a byte at a time), its body within
 * {@code limits.body_read_timeout} of the end of its head, or of the {@code 100 Continue} it asked
 * for when that is sent later (a slow body). On expiry the caller gets
 * mistguard's 408 {@code request-timeout} and the connection is closed; nothing reaches Mist. The
 * idle timeout alone cannot do this: a byte a second keeps a connection from ever being idle.
 *
 * <p>The clock starts at a request's first byte ({@link StrictRequestDecoder#HEAD_STARTED}, from
 * {@link StrictRequestDecoder}), so an idle keep-alive connection is left to the idle timeout. While
 * an earlier request of the connection is still being answered, mistguard may have stopped reading
 * (it holds a pipelined request; see {@code ProxyHandler}), so the clock of a pipelined request that
 * is only partly in is not charged to the caller: it starts again when the last answer owed before
 * it is written (and, should it run out before that, it is restarted instead of answered 408).
 *
 * <p>A timer is armed only when a read ends with the head or body still incomplete: a request that
 * arrives whole in one read, the usual case, costs no timer at all (it cost two, a schedule and a
 * cancel each, before). The time limit still counts from the first byte of the head, or from the
 * end of the head for the body, on the event loop's clock.
 *
 * <p>Each 408 is counted and gets its access-log line here: {@code total_ms} is the time the head or
 * body was given, and the method and path are those of the request whose body was late, or
 * {@code -} when its head never came whole.
 *
 * <p>Sits after the decoder and the encoder, before the aggregator; one instance per channel, used
 * only from its event loop.
 */
final class RequestReadTimeout extends ChannelDuplexHandler {

    private final long headerNanos;
    private final long bodyNanos;
    private final ProxyServices services;
    /** The head of the request whose body is being read, for the access log; null while a head is read. */
    private HttpRequest bodyOf;
    private ScheduledFuture<?> timer;
    /** The phase being read (head or body): its limit, when it began, and its 408 text; null if none. */
    private String phase;
    private long phaseNanos;
    private long phaseStarted;
    private int timersScheduled;
    /** Requests fully received, and final answers written: unequal while one is being answered. */
    private long received;
    private long answered;

    /**
     * @param headerTimeout {@code limits.header_read_timeout}, from a request's first byte to the end of its head
     * @param bodyTimeout {@code limits.body_read_timeout}, from the end of a head to the end of its body
     * @param services where each 408 is counted and logged ({@link ProxyServices#refused})
     */
    RequestReadTimeout(Duration headerTimeout, Duration bodyTimeout, ProxyServices services) {
        this.headerNanos = headerTimeout.toNanos();
        this.bodyNanos = bodyTimeout.toNanos();
        this.services = services;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == StrictRequestDecoder.HEAD_STARTED) {
            begin(ctx, headerNanos, "the request head did not arrive within ");
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DefaultFullHttpRequest) {
            // A request whole in one message (the decoder's form of one with no body, the usual one):
            // a head and its end, as below. Told by its class, one compare: HotSpot (JDK 17) caches
            // only the last interface a class was checked against, and the handlers around this one
            // check Netty's messages (ten interfaces each) against others, so each of the interface
            // checks below missed and searched (~12 ns a miss; this method's own time was 0.13 µs
            // per request in profile.sh's small-GET profile).
            end();
            received++;
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            end();
            if (!(msg instanceof LastHttpContent)) {
                begin(ctx, bodyNanos, "the request body did not arrive within ");
                bodyOf = request;
            }
        }
        if (msg instanceof LastHttpContent) {
            end();
            received++;
        }
        ctx.fireChannelRead(msg);
    }

    /** The read is over: a head or body still incomplete now gets its timer, for the time it has left. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (phase != null && timer == null) {
            long left = phaseNanos - (ctx.executor().ticker().nanoTime() - phaseStarted);
            schedule(ctx, Math.max(0, left), phaseNanos, phase);
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            int code = response.status().code();
            if (code >= 200) {
                answered++;
                if (answered == received && phase != null) {
                    restartClock(ctx); // the last answer owed before it: mistguard reads this request again
                }
            } else if (code == HttpResponseStatus.CONTINUE.code() && bodyOf != null) {
                restartClock(ctx);
            }
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        end();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        end();
    }

    /**
     * The request being read is the caller's to send again from now: the last answer owed to an
     * earlier request went out (mistguard may have stopped reading meanwhile), or the
     * {@code 100 Continue} its body waits for. Its head or body is timed from here.
     */
    private void restartClock(ChannelHandlerContext ctx) {
        phaseStarted = ctx.executor().ticker().nanoTime();
        if (timer != null) {
            cancel();
            schedule(ctx, phaseNanos, phaseNanos, phase);
        }
    }

    /**
     * Whether a request's head or body is partly in: its time is this handler's to limit, and the
     * connection is not idle ({@code ProxyHandler}'s idle clock leaves it alone). Found by review: with
     * {@code client_idle_timeout} shorter than these timeouts, the idle clock closed a caller in the
     * middle of its request with no answer at all, where a 408 was due.
     */
    boolean reading() {
        return phase != null;
    }

    /** How many read timers this connection has scheduled so far (for tests). */
    int timersScheduled() {
        return timersScheduled;
    }

    /** A head or body starts arriving; its timer waits for the end of the read (see the class comment). */
    private void begin(ChannelHandlerContext ctx, long nanos, String what) {
        cancel();
        bodyOf = null;
        phase = what;
        phaseNanos = nanos;
        phaseStarted = ctx.executor().ticker().nanoTime();
    }

    private void end() {
        phase = null;
        bodyOf = null;
        cancel();
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos, long limitNanos, String what) {
        timersScheduled++;
        timer = ctx.executor().schedule(() -> expire(ctx, limitNanos, what), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void expire(ChannelHandlerContext ctx, long nanos, String what) {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (answered < received) {
            // an earlier request is being answered; reading may be held back meanwhile: start over
            phaseStarted = ctx.executor().ticker().nanoTime();
            schedule(ctx, nanos, nanos, what);
            return;
        }
        HttpRequest late = bodyOf;
        long given = ctx.executor().ticker().nanoTime() - phaseStarted;
        end();
        Answer answer = ProxyResponses.rejection(ctx.alloc(), HttpResponseStatus.REQUEST_TIMEOUT,
                Decision.REQUEST_TIMEOUT, what + Duration.ofNanos(nanos).toMillis() + " ms");
        AnswerHeaders.write(answer);
        answer.response().headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ChannelFutureListener line = services.refused(late, answer, given);
        ctx.writeAndFlush(answer.response()).addListener(line)
                .addListener(LingeringClose.AFTER_WRITE); // the caller may still be sending
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
