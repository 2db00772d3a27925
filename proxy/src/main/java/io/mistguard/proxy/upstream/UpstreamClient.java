package io.mistguard.proxy.upstream;

import static java.util.Objects.requireNonNull;

import io.mistguard.proxy.config.UpstreamConfig;
import io.mistguard.proxy.net.ContentPieces;
import io.mistguard.proxy.net.OneReadAggregator;
import io.mistguard.proxy.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's HTTP/1.1 client to Mist: one keep-alive {@link UpstreamPool} per event loop, so that
 * upstream work stays on the caller's event loop (Netty's proxy idiom) and needs no locks.
 *
 * <p>{@link #call} must be invoked on the event loop it is given.
 */
public final class UpstreamClient {

    private static final int MAX_RESPONSE_HEADER_BYTES = 64 * 1024;

    private final UpstreamConfig config;
    private final Transport transport;
    private final ReuseRule reuse;
    private final FastThreadLocal<UpstreamPool> pools = new FastThreadLocal<>();
    private final Map<EventLoop, UpstreamPool> poolsByLoop = new ConcurrentHashMap<>();

    /** A client to Mist's API port ({@link ReuseRule#MIST}). */
    public UpstreamClient(UpstreamConfig config, Transport transport) {
        this(config, transport, ReuseRule.MIST);
    }

    /**
     * @param reuse which answers leave a connection fit for the next request: {@link ReuseRule#MIST}
     *              for Mist's API port, {@link ReuseRule#HTTP} for any other server (catalyst-api)
     */
    public UpstreamClient(UpstreamConfig config, Transport transport, ReuseRule reuse) {
        this.config = config;
        this.transport = transport;
        this.reuse = requireNonNull(reuse, "reuse");
    }

    /**
     * Starts one attempt. The call takes ownership of {@code request} and releases it when done.
     *
     * @param loop         the caller's event loop; the current thread must be this loop
     * @param request      the request exactly as it should reach Mist
     * @param timeoutNanos how long the attempt may take, connect included; the request is not
     *                     {@linkplain UpstreamCall replayable}
     */
    public UpstreamCall call(EventLoop loop, FullHttpRequest request, long timeoutNanos) {
        return call(loop, request, timeoutNanos, null, false);
    }

    /**
     * As above, on {@code privateConnection}: the connection reserved for one client connection, or
     * {@code null} for the loop's shared pool (only for local-equivalent requests; see
     * {@link PrivateConnection}); {@code replayable} as {@link UpstreamCall} takes it.
     */
    public UpstreamCall call(EventLoop loop, FullHttpRequest request, long timeoutNanos,
                             PrivateConnection privateConnection, boolean replayable) {
        assert loop.inEventLoop() : "upstream calls start on the caller's event loop";
        UpstreamCall call = new UpstreamCall(poolFor(loop), privateConnection, loop, request, replayable);
        call.start(timeoutNanos);
        return call;
    }

    /**
     * Stops the client: on every loop, cancels the calls still in flight and closes all connections,
     * and waits (up to {@code timeout}) until that is done. Call before the event loops shut down;
     * never from an event loop.
     */
    public void close(Duration timeout) throws InterruptedException {
        List<Future<?>> done = new ArrayList<>();
        for (Map.Entry<EventLoop, UpstreamPool> entry : poolsByLoop.entrySet()) {
            done.add(entry.getKey().submit(entry.getValue()::closeAll));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Future<?> f : done) {
            f.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private UpstreamPool poolFor(EventLoop loop) {
        UpstreamPool pool = pools.getIfExists();
        if (pool == null) {
            pool = newPool(loop);
            pools.set(pool);
            poolsByLoop.put(loop, pool);
        }
        return pool;
    }

    private UpstreamPool newPool(EventLoop loop) {
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        config.connectTimeout().toMillis())) // Nagle off: Netty's default
                // Mist's FIN leaves the connection open, half-closed, until UpstreamHandler closes it:
                // a call can then still ask the kernel whether a reset followed (UpstreamCall).
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true);
        UpstreamPool pool = new UpstreamPool(bootstrap, config.host(), config.port(),
                config.maxIdleConnectionsPerThread(), reuse);
        bootstrap.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                int maxAnswerBytes = (int) Math.min(Integer.MAX_VALUE, config.maxResponseBytes());
                UpstreamCodec codec = new UpstreamCodec(new HttpDecoderConfig()
                        .setMaxHeaderSize(MAX_RESPONSE_HEADER_BYTES)
                        .setMaxChunkSize(ContentPieces.MAX_BYTES), maxAnswerBytes);
                UpstreamHandler dispatch = new UpstreamHandler(pool, config.idleTimeout().toNanos(), codec);
                ch.pipeline()
                        .addLast("answer-start", new AnswerStartWatch(dispatch))
                        .addLast("codec", codec)
                        .addLast("head-only", new HeadOnlyAnswers())
                        .addLast("aggregator", new OneReadAggregator(maxAnswerBytes))
                        .addLast("dispatch", dispatch);
            }
        });
        return pool;
    }
}
