package io.mistguard.proxy.server.tunnel;

import io.mistguard.proxy.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A misbehaving or hand-scripted Mist: reads a request head as raw bytes and answers it with whatever
 * the test's {@link Script} says, byte for byte (or not at all). Records every request head and counts
 * connections opened and closed.
 */
final class ScriptedUpstream implements AutoCloseable {

    /** What to do once a request head has arrived. */
    interface Script {
        void answer(ChannelHandlerContext ctx, String requestHead);
    }

    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    final List<String> requestHeads = new CopyOnWriteArrayList<>();
    /** Bytes received after a request head, e.g. frames through a tunnel. */
    final AtomicInteger bytesAfterHead = new AtomicInteger();
    private final Channel server;

    private ScriptedUpstream(EventLoopGroup group, Transport transport, Script script) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(transport.serverChannelClass())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HeadReader(script));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    static ScriptedUpstream start(EventLoopGroup group, Transport transport, Script script)
            throws InterruptedException {
        return new ScriptedUpstream(group, transport, script);
    }

    /** Never answers and never closes. */
    static Script silent() {
        return (ctx, head) -> { };
    }

    /** Writes {@code raw} and keeps the connection open. */
    static Script reply(String raw) {
        return (ctx, head) -> ctx.writeAndFlush(ascii(raw));
    }

    /** Writes {@code raw}, then closes. */
    static Script replyAndClose(String raw) {
        return (ctx, head) -> ctx.writeAndFlush(ascii(raw)).addListener(ChannelFutureListener.CLOSE);
    }

    /** A valid 101 for the request's {@code Sec-WebSocket-Key} followed, in the same write, by {@code after}. */
    static Script switching(byte[] after) {
        return (ctx, head) -> {
            String answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(header(head, "sec-websocket-key")) + "\r\n"
                    + "X-Mist-Says: hi\r\n\r\n";
            ctx.writeAndFlush(Unpooled.wrappedBuffer(answer.getBytes(StandardCharsets.US_ASCII), after));
        };
    }

    /**
     * Real Mist 3.10's handshake answer, measured: {@code 101 Websocket away!} with only
     * {@code Connection} and {@code Upgrade} (no {@code Sec-WebSocket-Accept}), then frames at once.
     */
    static Script mistSwitching(byte[] after) {
        return (ctx, head) -> ctx.writeAndFlush(Unpooled.wrappedBuffer(
                "HTTP/1.1 101 Websocket away!\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII), after));
    }

    /** An unmasked, final text frame, as a server sends it. */
    static byte[] textFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (payload.length > 125) {
            throw new IllegalArgumentException("short frames only");
        }
        byte[] frame = new byte[2 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) payload.length;
        System.arraycopy(payload, 0, frame, 2, payload.length);
        return frame;
    }

    /** RFC 6455 §4.2.2: base64(SHA-1(key + GUID)). */
    static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The value of the first header named {@code name} (lower case) in a raw head, or null. */
    static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.close().sync();
    }

    private static ByteBuf ascii(String raw) {
        return Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1);
    }

    private final class HeadReader extends ChannelInboundHandlerAdapter {

        private final Script script;
        private final StringBuilder head = new StringBuilder();
        private boolean answered;

        HeadReader(Script script) {
            this.script = script;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            opened.incrementAndGet();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf bytes = (ByteBuf) msg;
            try {
                if (answered) {
                    bytesAfterHead.addAndGet(bytes.readableBytes()); // counted, not looked at
                    return;
                }
                head.append(bytes.toString(StandardCharsets.ISO_8859_1));
                int end = head.indexOf("\r\n\r\n");
                if (end >= 0) {
                    answered = true;
                    bytesAfterHead.addAndGet(head.length() - end - 4);
                    String request = head.substring(0, end + 4);
                    requestHeads.add(request);
                    script.answer(ctx, request);
                }
            } finally {
                bytes.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed.incrementAndGet();
            ctx.fireChannelInactive();
        }
    }
}
