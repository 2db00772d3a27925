import io.mistguard.proxy.Main;
import io.mistguard.proxy.config.IoTransport;
import io.mistguard.proxy.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.ArrayDeque;

/**
 * What an HTTP/1.1 layer leaner than Netty's codecs could cost: a reverse proxy that frames each
 * message and forwards its bytes as they came, with the same connection handling as
 * {@code NettyFloorProxy} (one request in flight per client connection, upstream connections kept in
 * a per-loop idle stack and reused) but without Netty's HTTP codecs and aggregators: no message
 * objects, no header map, no re-encoding. It sits between the two floors: {@code NettyTcpFloorProxy}
 * relays bytes with no framing at all, {@code NettyFloorProxy} builds and re-encodes Netty's
 * messages. Its cost over the byte relay is what framing and pooling cost; the floor's cost over it
 * is what Netty's message model costs.
 *
 * <p>Framing, and only as much as the benchmark's traffic needs: a message is its head up to the
 * first empty line (RFC 9112 §2.1) and then {@code Content-Length} bytes of body (§6.3), the field
 * found by a case-insensitive match at the start of a header line, 0 without one. Anything else a
 * real layer must frame — {@code Transfer-Encoding}, bodies ending at close, HEAD, 1xx, 204/304 — is
 * not handled: a message with {@code Transfer-Encoding} closes the connection. A head over 64 KiB
 * closes it too.
 *
 * <p>Not a proxy to run anywhere: no timeouts, no limits, no validation, no error answers. Run by
 * {@code passthrough.sh --proxies "... netty-lean-floor"} with the mistguard jar on the class path
 * (Java's single-file source launcher):
 * {@code java -cp proxy/target/mistguard.jar deploy/bench/NettyLeanFloorProxy.java LISTEN_PORT UPSTREAM_PORT}.
 */
public final class NettyLeanFloorProxy {

    private static final int MAX_HEAD = 64 * 1024;

    public static void main(String[] args) throws Exception {
        // mistguard's own defaults for Netty, as the other floors take them, so the rows pay alike.
        Main.nettyDefaults(System.getProperties());
        int listenPort = Integer.parseInt(args[0]);
        int upstreamPort = Integer.parseInt(args[1]);
        Transport transport = Transport.of(args.length > 2 ? IoTransport.parse(args[2]) : IoTransport.AUTO);
        EventLoopGroup accept = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        EventLoopGroup io = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        Bootstrap upstream = new Bootstrap().group(io).channel(transport.socketChannelClass())
                .remoteAddress("127.0.0.1", upstreamPort)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new UpstreamSide());
                    }
                });
        ArrayDeque<Channel> idle = new ArrayDeque<>(); // touched on the single I/O thread only
        new ServerBootstrap().group(accept, io).channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ClientSide(upstream, idle));
                    }
                })
                .bind("127.0.0.1", listenPort).sync();
        System.out.println("netty-lean-floor listening on 127.0.0.1:" + listenPort + ", upstream 127.0.0.1:" + upstreamPort);
        Thread.currentThread().join();
    }

    /** Accumulates a connection's bytes and cuts whole messages off its front, as slices of them. */
    abstract static class Framer extends ChannelInboundHandlerAdapter {
        private ByteBuf pending;

        @Override
        public final void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            if (pending == null) {
                pending = in;
            } else {
                pending = append(ctx.alloc(), pending, in);
            }
            while (pending != null && pending.isReadable()) {
                int length = messageLength(pending);
                if (length == -2) {
                    ctx.close();
                    return;
                }
                if (length < 0) {
                    break;
                }
                ByteBuf message = pending.readRetainedSlice(length);
                if (!pending.isReadable()) {
                    pending.release();
                    pending = null;
                }
                onMessage(ctx, message);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (pending != null) {
                pending.release();
                pending = null;
            }
            ctx.fireChannelInactive();
        }

        /** Takes {@code message}, one whole request or response, and owns it. */
        abstract void onMessage(ChannelHandlerContext ctx, ByteBuf message);

        private static ByteBuf append(ByteBufAllocator alloc, ByteBuf pending, ByteBuf in) {
            ByteBuf joined = alloc.buffer(pending.readableBytes() + in.readableBytes());
            joined.writeBytes(pending).writeBytes(in);
            pending.release();
            in.release();
            return joined;
        }

        /**
         * The length of the whole message at {@code buf}'s reader index: -1 while incomplete, -2 when
         * it cannot be framed here (see the class comment).
         */
        static int messageLength(ByteBuf buf) {
            int start = buf.readerIndex();
            int end = buf.writerIndex();
            long contentLength = 0;
            int line = start;
            while (true) {
                int lf = buf.indexOf(line, end, (byte) '\n');
                if (lf < 0) {
                    return end - start > MAX_HEAD ? -2 : -1;
                }
                int lineLength = lf - line; // without the LF; a CR before it counts
                if (lineLength == 0 || (lineLength == 1 && buf.getByte(line) == '\r')) {
                    long total = (long) (lf + 1 - start) + contentLength;
                    if (total > Integer.MAX_VALUE) {
                        return -2;
                    }
                    return end - start >= total ? (int) total : -1;
                }
                if (line != start) { // a header line: the request or status line is the first
                    if (startsWithIgnoreCase(buf, line, lf, "content-length:")) {
                        contentLength = digits(buf, line + 15, lf);
                        if (contentLength < 0) {
                            return -2;
                        }
                    } else if (startsWithIgnoreCase(buf, line, lf, "transfer-encoding:")) {
                        return -2;
                    }
                }
                line = lf + 1;
                if (line - start > MAX_HEAD) {
                    return -2;
                }
            }
        }

        private static boolean startsWithIgnoreCase(ByteBuf buf, int from, int to, String name) {
            if (to - from < name.length()) {
                return false;
            }
            for (int i = 0; i < name.length(); i++) {
                int b = buf.getByte(from + i);
                if (b >= 'A' && b <= 'Z') {
                    b += 'a' - 'A';
                }
                if (b != name.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        /** The decimal value between optional whitespace in [from, to), CR excluded; -1 when not one. */
        private static long digits(ByteBuf buf, int from, int to) {
            long value = -1;
            for (int i = from; i < to; i++) {
                int b = buf.getByte(i);
                if (b >= '0' && b <= '9') {
                    value = (value < 0 ? 0 : value * 10) + (b - '0');
                    if (value > Integer.MAX_VALUE) {
                        return -1;
                    }
                } else if (b != ' ' && b != '\t' && b != '\r') {
                    return -1;
                }
            }
            return value;
        }
    }

    /** A client connection: forwards its requests in order, one in flight at a time. */
    static final class ClientSide extends Framer {
        private final Bootstrap upstream;
        private final ArrayDeque<Channel> idle;
        private final ArrayDeque<ByteBuf> waiting = new ArrayDeque<>();
        private Channel client;
        private boolean busy;

        ClientSide(Bootstrap upstream, ArrayDeque<Channel> idle) {
            this.upstream = upstream;
            this.idle = idle;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            client = ctx.channel();
            ctx.fireChannelActive();
        }

        @Override
        void onMessage(ChannelHandlerContext ctx, ByteBuf request) {
            waiting.add(request);
            if (!busy) {
                next();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ByteBuf r;
            while ((r = waiting.poll()) != null) {
                r.release();
            }
            super.channelInactive(ctx);
        }

        private void next() {
            ByteBuf request = waiting.poll();
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

        private void send(Channel ch, ByteBuf request) {
            ch.pipeline().get(UpstreamSide.class).waitingClient = this;
            ch.writeAndFlush(request);
        }

        void answered(Channel ch, ByteBuf response) {
            idle.addLast(ch);
            client.writeAndFlush(response);
            next();
        }

        void upstreamFailed() {
            client.close();
        }
    }

    /** An upstream connection: hands each whole response to the client it was sent for. */
    static final class UpstreamSide extends Framer {
        ClientSide waitingClient;

        @Override
        void onMessage(ChannelHandlerContext ctx, ByteBuf response) {
            ClientSide to = waitingClient;
            waitingClient = null;
            if (to == null) {
                response.release();
                ctx.close();
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
            super.channelInactive(ctx);
        }
    }
}
