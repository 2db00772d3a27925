package io.mistguard.proxy.server.tunnel;

import io.mistguard.proxy.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for mistguard's listener, so the tunnel is tested without touching {@code ProxyHandler}:
 * a Netty server whose client pipeline carries the proxy's handler names. The full form mirrors
 * {@code ProxyChannelInitializer} ({@code decoder → encoder → read-timeout → aggregator → proxy}, the
 * read timeout a pass-through stand-in); the minimal one has only
 * {@code decoder → encoder → aggregator → proxy}. Both auto-read, as the listener does.
 * Its {@code proxy} handler hands upgrade requests to {@link UpgradeTunnel#start} and answers
 * anything else with 404. Outcomes are collected for assertions.
 */
final class TestFront implements AutoCloseable {

    final BlockingQueue<HandshakeOutcome> outcomes;
    private final Channel server;

    private TestFront(Channel server, BlockingQueue<HandshakeOutcome> outcomes) {
        this.server = server;
        this.outcomes = outcomes;
    }

    static TestFront start(EventLoopGroup group, Transport transport, UpgradeTunnel tunnel, boolean full)
            throws InterruptedException {
        return start(group, transport, tunnel, full, false);
    }

    /** The full front, allowing half-closure as mistguard's listener does: a caller's FIN is an event. */
    static TestFront startHalfClosing(EventLoopGroup group, Transport transport, UpgradeTunnel tunnel)
            throws InterruptedException {
        return start(group, transport, tunnel, true, true);
    }

    private static TestFront start(EventLoopGroup group, Transport transport, UpgradeTunnel tunnel, boolean full,
                                   boolean halfClosure) throws InterruptedException {
        BlockingQueue<HandshakeOutcome> outcomes = new LinkedBlockingQueue<>();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .childOption(io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE, halfClosure)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("decoder", new HttpRequestDecoder());
                        p.addLast("encoder", new HttpResponseEncoder());
                        if (full) {
                            p.addLast("read-timeout", new ChannelDuplexHandler());
                        }
                        p.addLast("aggregator", new HttpObjectAggregator(64 * 1024));
                        p.addLast("proxy", new FrontHandler(tunnel, outcomes));
                    }
                });
        Channel server = bootstrap.bind("127.0.0.1", 0).sync().channel();
        return new TestFront(server, outcomes);
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The next handshake outcome, waiting up to 10 s. */
    HandshakeOutcome nextOutcome() throws InterruptedException {
        HandshakeOutcome outcome = outcomes.poll(10, TimeUnit.SECONDS);
        if (outcome == null) {
            throw new AssertionError("no handshake outcome within 10 s");
        }
        return outcome;
    }

    @Override
    public void close() throws InterruptedException {
        server.close().sync();
    }

    /** The front's {@code proxy}: auto-reads, like {@code ProxyHandler} with no request held. */
    private static final class FrontHandler extends ChannelInboundHandlerAdapter {

        private final UpgradeTunnel tunnel;
        private final BlockingQueue<HandshakeOutcome> outcomes;

        FrontHandler(UpgradeTunnel tunnel, BlockingQueue<HandshakeOutcome> outcomes) {
            this.tunnel = tunnel;
            this.outcomes = outcomes;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof FullHttpRequest request)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (UpgradeTunnel.isUpgrade(request)) {
                tunnel.start(ctx, request).addListener((Future<HandshakeOutcome> f) -> outcomes.add(f.getNow()));
                return;
            }
            request.release();
            FullHttpResponse notFound = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                    ByteBufUtil.writeAscii(ctx.alloc(), "not an upgrade\n"));
            notFound.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, notFound.content().readableBytes());
            ctx.writeAndFlush(notFound).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
