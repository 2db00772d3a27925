package io.mistguard.proxy.admin;

import io.mistguard.proxy.net.AcceptFailures;
import io.mistguard.proxy.config.AdminConfig;
import io.mistguard.proxy.net.ConnectionCap;
import io.mistguard.proxy.net.RequestAggregator;
import io.mistguard.proxy.net.RequestArrivalTimeout;
import io.mistguard.proxy.net.StrictServerCodec;
import io.mistguard.proxy.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The operator's listener, separate from the proxy port (loopback by default): probes, metrics,
 * state views and operator actions ({@link AdminHandler}). Pipeline:
 * {@code limit → arrival-bytes → decoder → encoder → arrival → aggregator → in-turn → admin}: at most
 * {@link #MAX_CONNECTIONS} connections ({@link ConnectionCap}); a request arrives whole within
 * {@link #ARRIVAL_TIMEOUT} of its first byte (else 408 and closed) and a connection with nothing in
 * progress is closed after {@link #IDLE_TIMEOUT} ({@link RequestArrivalTimeout}), since the token is
 * checked per request and a connection that sends nothing would never meet it; requests are read as
 * strictly as on the proxy's port ({@link StrictServerCodec});
 * {@link RequestAggregator}; {@link RequestsInTurn}: answers in request order, a reload's too.
 */
public final class AdminServer {

    private static final int MAX_ADMIN_REQUEST_BYTES = 64 * 1024;
    /** The longest request line read, in bytes (Netty's default, which this listener had; longer: 414). */
    private static final int MAX_INITIAL_LINE_BYTES = 4096;
    /** The largest header block read, in bytes (Netty's default, which this listener had; larger: 431). */
    private static final int MAX_HEADER_BYTES = 8192;
    /** Connections held at once; more get 503 {@code too-many-connections} and are closed. */
    public static final int MAX_CONNECTIONS = 64;
    /** How long a request may take to arrive from its first byte; then 408 and closed. */
    static final Duration ARRIVAL_TIMEOUT = Duration.ofSeconds(10);
    /** A connection with no request in progress and no answer owed is closed after this long. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    private static final byte[] TOO_MANY_CONNECTIONS = ConnectionCap.serviceUnavailable(
            "mistguard admin: 503 Service Unavailable: too many connections\n");

    private final Channel serverChannel;

    private AdminServer(Channel serverChannel) {
        this.serverChannel = serverChannel;
    }

    /** Binds the admin listener; blocks until bound, so call it from a non-event-loop thread. */
    public static AdminServer bind(AdminConfig config, AdminBackend backend, Transport transport, EventLoopGroup group)
            throws InterruptedException {
        AdminHandler handler = new AdminHandler(backend, config.token());
        ConnectionCap cap = new ConnectionCap(MAX_CONNECTIONS, TOO_MANY_CONNECTIONS, () -> { });
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                // nc and BusyBox wget shut down their sending side after the request: answer them.
                .childOption(io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("limit", cap);
                        addHandlers(ch.pipeline(), handler);
                    }
                });
        Channel channel = bootstrap.bind(config.listen().host(), config.listen().port()).sync().channel();
        AcceptFailures.install(channel, "admin");
        return new AdminServer(channel);
    }

    /** An admin connection's pipeline, ending in the shared {@code handler}. */
    static void addHandlers(ChannelPipeline pipeline, AdminHandler handler) {
        RequestArrivalTimeout arrival = new RequestArrivalTimeout(ARRIVAL_TIMEOUT, IDLE_TIMEOUT, timeout -> null);
        pipeline.addLast("arrival-bytes", arrival.bytes());
        StrictServerCodec.addLast(pipeline, MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES);
        pipeline.addLast("arrival", arrival.requests())
                .addLast("aggregator", new RequestAggregator(MAX_ADMIN_REQUEST_BYTES, "request"))
                .addLast("in-turn", new RequestsInTurn())
                .addLast("admin", handler);
    }

    /** Connections this listener failed to accept since it was bound ({@link AcceptFailures}). Thread-safe. */
    public long acceptFailures() {
        return AcceptFailures.count(serverChannel);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public void close() throws InterruptedException {
        serverChannel.close().sync();
    }
}
