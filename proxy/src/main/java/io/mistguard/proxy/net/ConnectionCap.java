package io.mistguard.proxy.net;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the connections a listener holds open at once. A connection over the cap is answered with a
 * complete 503 at once (before its request is read, which HTTP allows) and closed
 * ({@link LingeringClose}, so that a request already sent cannot reset the answer away; at most
 * {@link #MAX_LINGERING} at once, so that a flood is closed at once instead), so the process's
 * memory and file descriptors stay bounded however many peers pile up; connections already held are
 * not disturbed. Used by every listener: the proxy's ({@code limits.max_connections}), the admin
 * listener's and the trigger listener's (fixed caps).
 *
 * <p>The count never passes the cap, not even for a moment (a compare-and-set admits each
 * connection), so {@link #openConnections()} is at most {@code max} whenever it is read, and a
 * connection is never turned away while a place is free because another was being turned away.
 *
 * <p>First handler of every pipeline it guards; one shared, thread-safe instance per listener.
 */
@Sharable
public class ConnectionCap extends ChannelInboundHandlerAdapter {

    private static final AttributeKey<Boolean> COUNTED = AttributeKey.valueOf("mistguard.counted");
    /**
     * Refused connections that may linger at once, per listener; more are closed at once. Lingering
     * keeps each for up to {@link LingeringClose#LINGER_MILLIS}, and a flood of refused connections
     * must not hold the descriptors the cap exists to keep.
     */
    static final int MAX_LINGERING = 64;

    private final int max;
    private final byte[] refusal;
    private final Runnable onRefused;
    private final AtomicInteger open = new AtomicInteger();
    /** Connections turned away and still lingering ({@link LingeringClose}); they hold descriptors too. */
    private final AtomicInteger lingering = new AtomicInteger();

    /**
     * @param max connections held at once, ≥ 1
     * @param refusal the whole answer (head and body) a connection over the cap gets, as bytes
     * @param onRefused called on the event loop for each connection turned away (to count it); must not block
     * @throws IllegalArgumentException if {@code max} is below 1
     */
    public ConnectionCap(int max, byte[] refusal, Runnable onRefused) {
        if (max < 1) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
        }
        this.max = max;
        this.refusal = refusal.clone();
        this.onRefused = onRefused;
    }

    /**
     * A 503 answer that closes the connection: {@code Retry-After: 1}, a plain-text {@code body}, and
     * the given extra header lines (each {@code "Name: value"}, without CRLF).
     */
    public static byte[] serviceUnavailable(String body, String... extraHeaderLines) {
        StringBuilder head = new StringBuilder("HTTP/1.1 503 Service Unavailable\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n");
        for (String line : extraHeaderLines) {
            head.append(line).append("\r\n");
        }
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        head.append("Retry-After: 1\r\n").append("Connection: close\r\n")
            .append("Content-Length: ").append(content.length).append("\r\n\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] whole = new byte[headBytes.length + content.length];
        System.arraycopy(headBytes, 0, whole, 0, headBytes.length);
        System.arraycopy(content, 0, whole, headBytes.length, content.length);
        return whole;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!admit()) {
            onRefused.run();
            ctx.channel().config().setAutoRead(false);
            ChannelFuture written = ctx.writeAndFlush(Unpooled.wrappedBuffer(refusal));
            if (lingering.incrementAndGet() <= MAX_LINGERING) {
                // the peer's request may be in already: linger, or the close could reset the 503 away
                ctx.channel().closeFuture().addListener(closed -> lingering.decrementAndGet());
                written.addListener(LingeringClose.AFTER_WRITE);
            } else {
                lingering.decrementAndGet(); // a flood: descriptors come first, the 503 may be lost to a reset
                written.addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        ctx.channel().attr(COUNTED).set(Boolean.TRUE);
        ctx.fireChannelActive();
    }

    private boolean admit() {
        for (;;) {
            int now = open.get();
            if (now >= max) {
                return false;
            }
            if (open.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ctx.channel().attr(COUNTED).getAndSet(null) != null) {
            open.decrementAndGet();
            ctx.fireChannelInactive();
        }
    }

    /** Connections open now and admitted, 0 to {@code max}. Thread-safe. */
    public int openConnections() {
        return open.get();
    }
}
