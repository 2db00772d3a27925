package io.mistguard.proxy.server;

import io.mistguard.proxy.net.AcceptFailures;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.net.Transport;
import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.LimitsConfig;
import io.mistguard.proxy.config.TrustedPeers;
import io.mistguard.proxy.server.tunnel.UpgradeTunnel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener callers connect to instead of Mist: binds the port, owns the client channels and
 * drains them on shutdown. The event loops are shared with the upstream client and owned by the
 * caller ({@code Mistguard}).
 */
public final class ProxyServer {

    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    private final Channel serverChannel;
    private final ChannelGroup channels;
    private final AtomicInteger inFlight;
    private final ConnectionLimiter connectionLimiter;

    private ProxyServer(Channel serverChannel, ChannelGroup channels, AtomicInteger inFlight,
                        ConnectionLimiter connectionLimiter) {
        this.serverChannel = serverChannel;
        this.channels = channels;
        this.inFlight = inFlight;
        this.connectionLimiter = connectionLimiter;
    }

    /**
     * Binds the listener; blocks until bound, so call it from a non-event-loop thread.
     *
     * @param accessLog one {@code mistguard.access} line per answer ({@link AccessLog})
     * @param trustedPeers the peers whose requests may be presented to Mist as local
     * @param tunnel passes WebSocket upgrades through to Mist
     * @param refusals counts the listener's own refusals, by reason
     */
    public static ProxyServer bind(HostPort listen, LimitsConfig limits, Forwarder forwarder, Transport transport,
                                   EventLoopGroup acceptors, EventLoopGroup workers, boolean accessLog,
                                   TrustedPeers trustedPeers, UpgradeTunnel tunnel, ListenerRefusals refusals)
            throws InterruptedException {
        ChannelGroup channels = new DefaultChannelGroup("mistguard-clients", GlobalEventExecutor.INSTANCE);
        AtomicInteger inFlight = new AtomicInteger();
        ProxyServices services = new ProxyServices(new CommandClassifier(), forwarder, channels, inFlight, accessLog,
                                                   trustedPeers, tunnel, refusals);
        ConnectionLimiter connectionLimiter = new ConnectionLimiter(limits.maxConnections(), refusals);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                // Auto-read: a caller waiting for each answer costs no epoll_ctl per request;
                // ProxyHandler turns reading off while it holds a pipelined request.
                // A client that shuts down its sending side (nc, BusyBox wget, health checks) still
                // gets its answer: ProxyHandler closes once what arrived is answered.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                // No TCP_NODELAY option: Netty turns Nagle off on every channel it makes (pinned by
                // TcpNoDelayByDefaultIT); setting it again cost a second setsockopt per connection.
                .childHandler(new ProxyChannelInitializer(limits, connectionLimiter, services));
        Channel channel = bootstrap.bind(listen.host(), listen.port()).sync().channel();
        AcceptFailures.install(channel, "proxy");
        return new ProxyServer(channel, channels, inFlight, connectionLimiter);
    }

    /** Connections this listener failed to accept since it was bound ({@link AcceptFailures}). Thread-safe. */
    public long acceptFailures() {
        return AcceptFailures.count(serverChannel);
    }

    /** The address actually bound (useful with port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /**
     * Client connections open now and admitted under {@code limits.max_connections} (0 to that cap):
     * counted when a connection becomes active, uncounted when it closes; a connection turned away
     * with 503 {@code too-many-connections} is never counted. Thread-safe; exported as
     * {@code mistguard_listener_connections_open}.
     */
    public int openConnections() {
        return connectionLimiter.openConnections();
    }

    /** Requests currently being answered. */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Stops accepting, lets requests in flight finish within {@code grace} (idle keep-alive
     * connections are closed at once, busy ones after their answer), then closes every connection.
     * Blocks; never call it from an event loop.
     */
    public void shutdown(Duration grace) throws InterruptedException {
        serverChannel.close().sync();
        for (Channel channel : channels) {
            channel.eventLoop().execute(() -> channel.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE));
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (inFlight.get() > 0) {
            log.warn("shutdown grace of {} ended with {} request(s) still in flight; closing them", grace,
                    inFlight.get());
        }
        channels.close().await(1, TimeUnit.SECONDS);
    }
}
