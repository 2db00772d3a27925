package io.mistguard.proxy.trigger;

import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.TriggersConfig;
import io.mistguard.proxy.net.RequestAggregator;
import io.mistguard.proxy.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The trigger listener: where Mist's trigger URLs point, in front of catalyst-api. Pipeline per
 * connection, built in named steps: {@code codec} (HTTP/1.1), {@code aggregator} (whole requests up
 * to {@code max_request_bytes}, {@link RequestAggregator}; larger gets 413, in the request's turn,
 * and the connection closed),
 * {@code trigger} ({@link TriggerHandler}, which also closes a keep-alive connection idle for
 * {@link #IDLE_SECONDS}).
 *
 * <p>Connections run on the shared worker loops, so each trigger's call to catalyst-api stays on
 * its own loop. Thread-safe; {@link #close} closes the listener and every connection.
 */
public final class TriggerServer {

    static final int IDLE_SECONDS = 60;
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
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(transport.serverChannelClass())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline()
                                .addLast("codec", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192))
                                .addLast("aggregator", new RequestAggregator(maxBody, "trigger"))
                                .addLast("trigger", new TriggerHandler(service, accessLog,
                                                                       TimeUnit.SECONDS.toNanos(IDLE_SECONDS)));
                    }
                });
        Channel channel = bootstrap.bind(listen.host(), listen.port()).sync().channel();
        return new TriggerServer(channel, connections);
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
