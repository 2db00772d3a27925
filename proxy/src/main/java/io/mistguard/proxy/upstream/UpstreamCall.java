package io.mistguard.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

/**
 * One attempt to send a request to Mist and read its complete response, bounded by a timeout.
 *
 * <p>The attempt takes an idle pooled connection or opens one, writes the request and waits for the
 * aggregated response. When its time runs out, or it is {@linkplain #cancel() cancelled}, the
 * connection carrying it is closed at once and never pooled, so Mist sees the caller leave and no
 * late answer can reach a later request. A request that provably never left the proxy (written to a
 * pooled connection that turned out to be closed) is retried once on a fresh connection.
 *
 * <p>Runs entirely on the caller's event loop; not thread-safe, and needs not be.
 */
public final class UpstreamCall {

    private final UpstreamPool pool;
    private final EventLoop loop;
    private final FullHttpRequest request;
    private final Promise<FullHttpResponse> result;
    private ScheduledFuture<?> timer;
    private Channel channel;
    private UpstreamHandler handler;
    private boolean done;

    UpstreamCall(UpstreamPool pool, EventLoop loop, FullHttpRequest request) {
        this.pool = pool;
        this.loop = loop;
        this.request = request;
        this.result = loop.newPromise();
    }

    /** Completes with Mist's response (owned by the listener) or fails with an {@link UpstreamException}. */
    public Future<FullHttpResponse> result() {
        return result;
    }

    void start(long timeoutNanos) {
        pool.track(this);
        timer = loop.schedule(this::onTimeout, timeoutNanos, TimeUnit.NANOSECONDS);
        Channel pooled = pool.pollIdle();
        if (pooled != null) {
            send(pooled, true);
        } else {
            connect();
        }
    }

    /** Abandons the attempt: closes its connection and fails the result with {@code CANCELLED}. */
    public void cancel() {
        onFailure(UpstreamFailure.CANCELLED, "cancelled by the caller");
    }

    private void connect() {
        pool.connect().addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                Throwable cause = f.cause();
                UpstreamFailure failure = cause instanceof ConnectTimeoutException ? UpstreamFailure.CONNECT_TIMEOUT
                        : cause instanceof ConnectException ? UpstreamFailure.CONNECT_REFUSED
                        : UpstreamFailure.RESET;
                onFailure(failure, String.valueOf(cause.getMessage()));
                return;
            }
            if (done) {
                pool.release(f.channel()); // fresh and unused: good for the next caller
                return;
            }
            send(f.channel(), false);
        });
    }

    private void send(Channel ch, boolean reused) {
        channel = ch;
        handler = ch.pipeline().get(UpstreamHandler.class);
        handler.bind(this);
        ch.writeAndFlush(request.retainedDuplicate()).addListener((ChannelFuture f) -> {
            if (f.isSuccess() || done) {
                return;
            }
            if (reused && f.cause() instanceof ClosedChannelException) {
                // Closed before a byte was written: the request never reached Mist, so a fresh
                // connection may carry it.
                handler.unbind();
                channel = null;
                handler = null;
                connect();
                return;
            }
            onFailure(UpstreamFailure.RESET, "write failed: " + f.cause().getMessage());
        });
    }

    void onResponse(FullHttpResponse response) {
        if (done) {
            response.release();
            return;
        }
        if (response.decoderResult().isFailure()) {
            Throwable cause = response.decoderResult().cause();
            response.release();
            onFailure(cause instanceof PrematureChannelClosureException ? UpstreamFailure.RESET
                    : UpstreamFailure.BAD_RESPONSE, String.valueOf(cause.getMessage()));
            return;
        }
        finish();
        if (HttpUtil.isKeepAlive(response) && HttpUtil.isKeepAlive(request)) {
            pool.release(channel);
        } else {
            channel.close();
        }
        result.setSuccess(response);
    }

    void onFailure(UpstreamFailure failure, String detail) {
        if (done) {
            return;
        }
        finish();
        if (channel != null) {
            handler.unbind();
            channel.close(); // never reuse a connection whose exchange did not complete
        }
        result.setFailure(new UpstreamException(failure, detail));
    }

    private void onTimeout() {
        onFailure(UpstreamFailure.TIMEOUT, "no complete response in time");
    }

    private void finish() {
        done = true;
        pool.untrack(this);
        if (timer != null) {
            timer.cancel(false);
        }
        request.release();
    }
}
