package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.AnswerHeaders;
import io.mistguard.proxy.exchange.Decision;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the number of open client connections at {@code limits.max_connections}. A connection over
 * the cap is answered with a complete 503 at once (before its request is read, which HTTP allows)
 * and closed, so the proxy's memory stays bounded however many callers pile up. Each is counted
 * ({@code mistguard_listener_refusals_total{reason="too-many-connections"}}); none is logged, as no
 * request was read.
 *
 * <p>First handler of every client pipeline; one shared, thread-safe instance per listener.
 */
@Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    private static final AttributeKey<Boolean> COUNTED = AttributeKey.valueOf("mistguard.counted");
    private static final String REJECTION_BODY = "mistguard: 503 Service Unavailable: "
            + Decision.TOO_MANY_CONNECTIONS.token() + "\n";
    private static final byte[] REJECTION = ("HTTP/1.1 503 Service Unavailable\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + AnswerHeaders.DECISION + ": " + Decision.TOO_MANY_CONNECTIONS.header() + "\r\n"
            + "Retry-After: 1\r\n"
            + "Connection: close\r\n"
            + "Content-Length: " + REJECTION_BODY.length() + "\r\n"
            + "\r\n"
            + REJECTION_BODY).getBytes(StandardCharsets.US_ASCII);

    private final int maxConnections;
    private final ListenerRefusals refusals;
    private final AtomicInteger open = new AtomicInteger();

    /**
     * @param maxConnections {@code limits.max_connections}, ≥ 1
     * @param refusals where each connection turned away is counted ({@code too-many-connections})
     */
    ConnectionLimiter(int maxConnections, ListenerRefusals refusals) {
        this.maxConnections = maxConnections;
        this.refusals = refusals;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            refusals.refused(Decision.TOO_MANY_CONNECTIONS);
            ctx.channel().config().setAutoRead(false);
            ctx.writeAndFlush(Unpooled.wrappedBuffer(REJECTION)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.channel().attr(COUNTED).set(Boolean.TRUE);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ctx.channel().attr(COUNTED).getAndSet(null) != null) {
            open.decrementAndGet();
            ctx.fireChannelInactive();
        }
    }

    /** Client connections currently open and admitted. */
    int openConnections() {
        return open.get();
    }
}
