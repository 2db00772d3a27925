package io.mistguard.proxy.admin;

import io.mistguard.proxy.config.AdminConfig;
import io.mistguard.proxy.net.RequestAggregator;
import io.mistguard.proxy.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;

/**
 * The operator's listener, separate from the proxy port (loopback by default): probes, metrics,
 * state views and operator actions ({@link AdminHandler}). Pipeline:
 * {@code codec → aggregator → in-turn → admin} ({@link RequestAggregator}, {@link RequestsInTurn}:
 * answers in request order, a reload's too).
 */
public final class AdminServer {

    private static final int MAX_ADMIN_REQUEST_BYTES = 64 * 1024;

    private final Channel serverChannel;

    private AdminServer(Channel serverChannel) {
        this.serverChannel = serverChannel;
    }

    /** Binds the admin listener; blocks until bound, so call it from a non-event-loop thread. */
    public static AdminServer bind(AdminConfig config, AdminBackend backend, Transport transport, EventLoopGroup group)
            throws InterruptedException {
        AdminHandler handler = new AdminHandler(backend, config.token());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                // nc and BusyBox wget shut down their sending side after the request: answer them.
                .childOption(io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        addHandlers(ch.pipeline(), handler);
                    }
                });
        return new AdminServer(bootstrap.bind(config.listen().host(), config.listen().port()).sync().channel());
    }

    /** An admin connection's pipeline, ending in the shared {@code handler}. */
    static void addHandlers(ChannelPipeline pipeline, AdminHandler handler) {
        pipeline.addLast("codec", new HttpServerCodec())
                .addLast("aggregator", new RequestAggregator(MAX_ADMIN_REQUEST_BYTES, "request"))
                .addLast("in-turn", new RequestsInTurn())
                .addLast("admin", handler);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public void close() throws InterruptedException {
        serverChannel.close().sync();
    }
}
