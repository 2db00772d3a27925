import io.mistguard.proxy.Main;
import io.mistguard.proxy.config.IoTransport;
import io.mistguard.proxy.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.ArrayDeque;

/**
 * The least a Netty HTTP/1.1 reverse proxy does, as a floor for mistguard's pass-through cost:
 * what any proxy built from the same parts (the transport mistguard's {@code io_transport} takes,
 * the optional third argument, else {@code auto}'s; {@code HttpServerCodec} and {@code HttpClientCodec},
 * {@code HttpObjectAggregator} on both sides, keep-alive connection reuse)
 * costs per request on this machine, with none of mistguard's work — no routing, classification,
 * policies, timers, metrics, access log or answer headers.
 *
 * <p>One accept thread and one I/O thread, like mistguard with {@code io_threads: 1}. A client
 * connection's requests are forwarded one at a time (the benchmark's clients do not pipeline, but a
 * pipelined request waits its turn rather than being lost); upstream connections are kept in a
 * per-loop idle stack and reused. Every answer is written back as the upstream sent it.
 *
 * <p>Not a proxy to run anywhere: no timeouts, no limits, no error answers (a failed upstream closes
 * the client connection). Run by {@code passthrough.sh --proxies "... netty-floor"} with the
 * mistguard jar on the class path (Java's single-file source launcher):
 * {@code java -cp proxy/target/mistguard.jar deploy/bench/NettyFloorProxy.java LISTEN_PORT UPSTREAM_PORT}.
 */
public final class NettyFloorProxy {

    private static final int MAX_BYTES = 8 * 1024 * 1024;

    public static void main(String[] args) throws Exception {
        // mistguard's own defaults for Netty (its leak detector above all), so that the floor's row and
        // mistguard's pay the same.
        Main.nettyDefaults(System.getProperties());
        int listenPort = Integer.parseInt(args[0]);
        int upstreamPort = Integer.parseInt(args[1]);
        // The transport mistguard's io_transport takes (args[2], passthrough.sh --io-transport; else
        // auto: epoll, else NIO), so that the floor and mistguard pay the same system calls.
        Transport transport = Transport.of(args.length > 2 ? IoTransport.parse(args[2]) : IoTransport.AUTO);
        EventLoopGroup accept = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        EventLoopGroup io = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        // No TCP_NODELAY options: Netty turns Nagle off on every channel it makes (as in mistguard).
        Bootstrap upstream = new Bootstrap().group(io).channel(transport.socketChannelClass())
                .remoteAddress("127.0.0.1", upstreamPort);
        ArrayDeque<Channel> idle = new ArrayDeque<>(); // touched on the single I/O thread only
        upstream.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_BYTES), new UpstreamSide());
            }
        });
        new ServerBootstrap().group(accept, io).channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_BYTES),
                                              new ClientSide(upstream, idle));
                    }
                })
                .bind("127.0.0.1", listenPort).sync();
        System.out.println("netty-floor listening on 127.0.0.1:" + listenPort + ", upstream 127.0.0.1:" + upstreamPort);
        Thread.currentThread().join();
    }

    /** A client connection: forwards its requests in order, one in flight at a time. */
    static final class ClientSide extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Bootstrap upstream;
        private final ArrayDeque<Channel> idle;
        private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
        private Channel client;
        private boolean busy;

        ClientSide(Bootstrap upstream, ArrayDeque<Channel> idle) {
            super(false);
            this.upstream = upstream;
            this.idle = idle;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            client = ctx.channel();
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            waiting.add(request);
            if (!busy) {
                next();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            FullHttpRequest r;
            while ((r = waiting.poll()) != null) {
                r.release();
            }
            ctx.fireChannelInactive();
        }

        private void next() {
            FullHttpRequest request = waiting.poll();
            if (request == null) {
                busy = false;
                return;
            }
            busy = true;
            Channel ch = idle.pollLast();
            if (ch != null && ch.isActive()) {
                send(ch, request);
                return;
            }
            upstream.connect().addListener((ChannelFuture f) -> {
                if (f.isSuccess()) {
                    send(f.channel(), request);
                } else {
                    request.release();
                    client.close();
                }
            });
        }

        private void send(Channel ch, FullHttpRequest request) {
            ch.pipeline().get(UpstreamSide.class).waitingClient = this;
            ch.writeAndFlush(request);
        }

        void answered(Channel ch, FullHttpResponse response) {
            idle.addLast(ch);
            client.writeAndFlush(response);
            next();
        }

        void upstreamFailed() {
            client.close();
        }
    }

    /** An upstream connection: hands each complete response to the client it was sent for. */
    static final class UpstreamSide extends SimpleChannelInboundHandler<FullHttpResponse> {
        ClientSide waitingClient;

        UpstreamSide() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            ClientSide to = waitingClient;
            waitingClient = null;
            if (to == null) {
                response.release();
                return;
            }
            to.answered(ctx.channel(), response);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ClientSide to = waitingClient;
            waitingClient = null;
            if (to != null) {
                to.upstreamFailed();
            }
        }
    }
}
