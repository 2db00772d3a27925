package io.mistguard.proxy.server.tunnel;

import io.mistguard.proxy.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket server standing in for Mist's {@code /ws}: Netty's {@link WebSocketServerProtocolHandler}
 * does the handshake and close handshake; on connect it sends the text frame {@code hello}, and it
 * echoes every text message. It records each handshake's URI and headers and counts connections opened
 * and closed.
 */
final class WebSocketUpstream implements AutoCloseable {

    static final String GREETING = "hello";

    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    final List<WebSocketServerProtocolHandler.HandshakeComplete> handshakes = new CopyOnWriteArrayList<>();
    private final Channel server;

    private WebSocketUpstream(EventLoopGroup group, Transport transport) throws InterruptedException {
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/ws").checkStartsWith(true).maxFramePayloadLength(1 << 20).build();
        server = new ServerBootstrap().group(group).channel(transport.serverChannelClass())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new ConnectionCounter())
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(64 * 1024))
                                .addLast(new WebSocketServerProtocolHandler(config))
                                .addLast(new WebSocketFrameAggregator(1 << 20)) // the JDK client fragments
                                .addLast(new Echo());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    static WebSocketUpstream start(EventLoopGroup group, Transport transport) throws InterruptedException {
        return new WebSocketUpstream(group, transport);
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    HttpHeaders lastHandshakeHeaders() {
        return handshakes.get(handshakes.size() - 1).requestHeaders();
    }

    @Override
    public void close() throws InterruptedException {
        server.close().sync();
    }

    private final class ConnectionCounter extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            opened.incrementAndGet();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed.incrementAndGet();
            ctx.fireChannelInactive();
        }
    }

    private final class Echo extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
                handshakes.add(handshake);
                ctx.writeAndFlush(new TextWebSocketFrame(GREETING));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            ctx.writeAndFlush(new TextWebSocketFrame(frame.text()));
        }
    }
}
