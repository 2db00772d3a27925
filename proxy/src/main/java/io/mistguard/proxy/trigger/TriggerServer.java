package io.mistguard.proxy.trigger;

import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.TriggersConfig;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.ProxyResponses;
import io.mistguard.proxy.logging.AccessLine;
import io.mistguard.proxy.net.AcceptFailures;
import io.mistguard.proxy.net.ConnectionCap;
import io.mistguard.proxy.net.RequestAggregator;
import io.mistguard.proxy.net.RequestArrivalTimeout;
import io.mistguard.proxy.net.StrictServerCodec;
import io.mistguard.proxy.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The trigger listener: where Mist's trigger URLs point, in front of catalyst-api. Pipeline per
 * connection, built in named steps: {@code limit} (at most {@link #MAX_CONNECTIONS} connections,
 * {@link ConnectionCap}), {@code arrival-bytes}, {@code decoder} and {@code encoder} (HTTP/1.1, read
 * as strictly as on the proxy's port: {@link StrictServerCodec}) and {@code arrival} (a
 * request arrives whole within {@link #ARRIVAL_TIMEOUT} of its first byte, else 408 and closed, and
 * a keep-alive connection with nothing in progress for {@link #IDLE_SECONDS} is closed; bare CRLFs
 * are no activity: {@link RequestArrivalTimeout}), {@code aggregator} (whole requests up
 * to {@code max_request_bytes}, {@link RequestAggregator}; larger gets 413, in the request's turn,
 * and the connection closed), {@code trigger} ({@link TriggerHandler}).
 *
 * <p>Connections run on the shared worker loops, so each trigger's call to catalyst-api stays on
 * its own loop. Thread-safe; {@link #close} closes the listener and every connection.
 */
public final class TriggerServer {

    static final int IDLE_SECONDS = 60;
    /** How long a trigger request may take to arrive from its first byte; then 408 and closed. */
    static final Duration ARRIVAL_TIMEOUT = Duration.ofSeconds(10);
    /** Connections held at once; more get 503 {@code too-many-connections} and are closed. */
    static final int MAX_CONNECTIONS = 10_000;
    private static final int MAX_INITIAL_LINE = 8 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final Channel serverChannel;
    private final ChannelGroup connections;

    private TriggerServer(Channel serverChannel, ChannelGroup connections) {
        this.serverChannel = serverChannel;
        this.connections = connections;
    }

    /** Binds {@code listen}; blocks until bound, so call it from a plain thread. */
    public static TriggerServer bind(HostPort listen, TriggersConfig config, TriggerService service, Transport transport,
                                     EventLoopGroup acceptors, EventLoopGroup workers, boolean accessLog)
            throws InterruptedException {
        ChannelGroup connections = new DefaultChannelGroup("mistguard-triggers", GlobalEventExecutor.INSTANCE);
        int maxBody = (int) Math.min(Integer.MAX_VALUE, config.maxRequestBytes());
        ConnectionCap cap = new ConnectionCap(MAX_CONNECTIONS, ProxyResponses.tooManyConnections(),
                () -> service.observer().answered(TriggerService.OTHER, Decision.TOO_MANY_CONNECTIONS, null, 0));
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(transport.serverChannelClass())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast("limit", cap);
                        addHandlers(ch.pipeline(), service, maxBody, accessLog);
                    }
                });
        Channel channel = bootstrap.bind(listen.host(), listen.port()).sync().channel();
        AcceptFailures.install(channel, "trigger");
        return new TriggerServer(channel, connections);
    }

    /**
     * A trigger connection's pipeline after its connection cap, ending in its {@link TriggerHandler}
     * (the tests build theirs with it too).
     */
    static void addHandlers(ChannelPipeline pipeline, TriggerService service, int maxBody, boolean accessLog) {
        RequestArrivalTimeout arrival = new RequestArrivalTimeout(ARRIVAL_TIMEOUT, Duration.ofSeconds(IDLE_SECONDS),
                timeout -> timedOut(timeout, service, accessLog));
        pipeline.addLast("arrival-bytes", arrival.bytes());
        StrictServerCodec.addLast(pipeline, MAX_INITIAL_LINE, MAX_HEADER_BYTES);
        pipeline.addLast("arrival", arrival.requests())
                .addLast("aggregator", new RequestAggregator(maxBody, "trigger"))
                .addLast("trigger", new TriggerHandler(service, accessLog));
    }

    /**
     * A request that did not arrive in time: counted now, and logged like the listener's other
     * refusals once its 408 is sent (499 and no bytes if the caller was gone before: its body rides
     * with its head).
     */
    private static ChannelFutureListener timedOut(FullHttpResponse timeout, TriggerService service, boolean accessLog) {
        long given = ARRIVAL_TIMEOUT.toNanos();
        service.observer().answered(TriggerService.OTHER, Decision.REQUEST_TIMEOUT, null, given);
        if (!accessLog) {
            return null;
        }
        int status = timeout.status().code();
        int bytes = timeout.content().readableBytes();
        return written -> TriggerAccessLog.log(TriggerService.OTHER, Decision.REQUEST_TIMEOUT, null,
                AccessLine.status(status, written.isSuccess()), written.isSuccess() ? bytes : 0, 0,
                given, 0, "-", "-");
    }

    /** Connections this listener failed to accept since it was bound ({@link AcceptFailures}). Thread-safe. */
    public long acceptFailures() {
        return AcceptFailures.count(serverChannel);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops accepting and closes every connection; triggers being answered are cancelled. */
    public void close() throws InterruptedException {
        serverChannel.close().sync();
        connections.close().await(2, TimeUnit.SECONDS);
    }
}
