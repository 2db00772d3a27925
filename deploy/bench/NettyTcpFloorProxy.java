import io.mistguard.proxy.Main;
import io.mistguard.proxy.config.IoTransport;
import io.mistguard.proxy.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;

/**
 * The least any proxy on the JVM with Netty's native transport (epoll, as mistguard's io_transport: auto) does: bytes relayed between a client
 * connection and an upstream connection of its own, with no HTTP at all. Where {@code NettyFloorProxy}
 * is the floor of an HTTP proxy built from Netty's codecs, this is the floor under that: the transport,
 * the pipeline, buffers and the JVM, per request, on this machine. An HTTP proxy cannot cost less
 * than this on the same parts, whatever its parser; the gap between the two floors is what Netty's
 * HTTP codecs and aggregators cost.
 *
 * <p>One accept thread and one I/O thread, like mistguard with {@code io_threads: 1}. Each client
 * connection gets its own upstream connection, opened when the client connects; reading from the
 * client starts once it is open. What one side's read brings is written to the other, and flushed
 * once per read batch ({@code channelReadComplete}), as an event-driven proxy does. Backpressure: a
 * side whose peer is not writable stops reading until it is. When either side closes, the other is
 * closed once what was written to it is flushed. With keep-alive clients (the benchmark's), the
 * connection pairs live for the whole run, as an HTTP proxy's kept-alive upstream connections do.
 *
 * <p>Not a proxy to run anywhere: no timeouts, no limits, no HTTP. Run by
 * {@code passthrough.sh --proxies "... netty-tcp-floor"} with the mistguard jar on the class path
 * (Java's single-file source launcher):
 * {@code java -cp proxy/target/mistguard.jar deploy/bench/NettyTcpFloorProxy.java LISTEN_PORT UPSTREAM_PORT}.
 */
public final class NettyTcpFloorProxy {

    public static void main(String[] args) throws Exception {
        // mistguard's own defaults for Netty, as NettyFloorProxy takes them, so the rows pay alike.
        Main.nettyDefaults(System.getProperties());
        int listenPort = Integer.parseInt(args[0]);
        int upstreamPort = Integer.parseInt(args[1]);
        // The transport mistguard's io_transport takes (args[2], passthrough.sh --io-transport; else
        // auto: epoll, else NIO), so that the floor and mistguard pay the same system calls.
        Transport transport = Transport.of(args.length > 2 ? IoTransport.parse(args[2]) : IoTransport.AUTO);
        EventLoopGroup accept = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        EventLoopGroup io = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        new ServerBootstrap().group(accept, io).channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.AUTO_READ, false) // until its upstream connection is open
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel client) {
                        client.pipeline().addLast(new ClientSide(transport, upstreamPort));
                    }
                })
                .bind("127.0.0.1", listenPort).sync();
        System.out.println("netty-tcp-floor listening on 127.0.0.1:" + listenPort + ", upstream 127.0.0.1:" + upstreamPort);
        Thread.currentThread().join();
    }

    /** A client connection: opens its upstream connection, then relays to it. */
    static final class ClientSide extends Relay {
        private final Transport transport;
        private final int upstreamPort;

        ClientSide(Transport transport, int upstreamPort) {
            this.transport = transport;
            this.upstreamPort = upstreamPort;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            new Bootstrap().group(client.eventLoop()).channel(transport.socketChannelClass())
                    .handler(new Relay().to(client))
                    .connect("127.0.0.1", upstreamPort)
                    .addListener((ChannelFutureListener) connected -> {
                        if (connected.isSuccess()) {
                            to(connected.channel());
                            client.config().setAutoRead(true);
                        } else {
                            client.close();
                        }
                    });
        }
    }

    /** One side of a pair: what it reads goes to its peer; it reads only while the peer can take more. */
    static class Relay extends ChannelInboundHandlerAdapter {
        private Channel peer;

        Relay to(Channel peer) {
            this.peer = peer;
            return this;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            peer.write(msg, peer.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
            if (!peer.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && peer != null) {
                peer.config().setAutoRead(true);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (peer != null && peer.isActive()) {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
