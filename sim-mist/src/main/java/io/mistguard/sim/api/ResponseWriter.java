package io.mistguard.sim.api;

import io.mistguard.sim.fault.FaultAction;
import io.mistguard.sim.fault.FaultRule;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;

/**
 * Writes one reply, shaped by the request's fault: whole, after a pause, dribbled, cut short, reset,
 * mangled, replaced by bytes that are not HTTP, or whole and then the connection closed. Must be called on the channel's event loop;
 * pauses are {@code schedule(...)}d there, never slept. Every buffer it creates is handed to a
 * write, which owns and releases it. Runs {@code onDone} exactly once per {@link #write} or
 * {@link #raw}, when the reply is out (or can no longer be sent); {@code beforeLastWrite} runs just
 * before the write that completes a reply, so that the request no longer counts as in flight by the
 * time the client can read its reply and send the next one (on another connection, another loop).
 */
final class ResponseWriter {

    private final ChannelHandlerContext ctx;
    private final Runnable beforeLastWrite;
    private final Runnable onDone;

    ResponseWriter(ChannelHandlerContext ctx, Runnable beforeLastWrite, Runnable onDone) {
        this.ctx = ctx;
        this.beforeLastWrite = beforeLastWrite;
        this.onDone = onDone;
    }

    void write(Reply reply, FaultRule fault) {
        FaultAction action = fault == null ? FaultAction.NONE : fault.action();
        switch (action) {
            case SLOW_FIRST_BYTE -> ctx.executor().schedule(() -> whole(reply), fault.minDelay().toNanos(),
                    TimeUnit.NANOSECONDS);
            case DRIBBLE -> {
                ctx.writeAndFlush(head(reply, reply.body().length));
                dribble(reply, 0, fault);
            }
            case RESET_MID_RESPONSE -> half(reply, true);
            case TRUNCATED -> half(reply, false);
            case MALFORMED_JSON -> whole(reply.withBody(BodyMangler.malformed(reply.body())));
            case HUGE_BODY -> whole(reply.withBody(BodyMangler.huge(reply.body(), fault.amount())));
            case CLOSE_AFTER_REPLY -> whole(reply.thenClose());
            case GARBAGE -> raw(BodyMangler.garbage());
            default -> whole(reply);
        }
    }

    /**
     * Puts {@code bytes} on the wire as they are, bypassing the HTTP encoder (written from its context,
     * so it never sees them), for replies no HTTP object can express. No fault applies to them.
     */
    void raw(byte[] bytes) {
        ChannelHandlerContext encoder = ctx.pipeline().context(ApiChannelInitializer.HTTP_ENCODER);
        if (!ctx.channel().isActive() || encoder == null) {
            onDone.run();
            return;
        }
        beforeLastWrite.run();
        encoder.writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener(f -> onDone.run());
    }

    private void whole(Reply reply) {
        if (!ctx.channel().isActive()) {
            onDone.run();
            return;
        }
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(),
                Unpooled.wrappedBuffer(reply.body()));
        headers(response, reply, reply.body().length);
        beforeLastWrite.run();
        ctx.writeAndFlush(response).addListener(f -> finish(reply));
    }

    private void dribble(Reply reply, int offset, FaultRule fault) {
        Channel ch = ctx.channel();
        if (!ch.isActive()) {
            onDone.run();
            return;
        }
        int n = Math.min(fault.amount(), reply.body().length - offset);
        if (offset + n >= reply.body().length) {
            // The last bytes complete the reply: a client may send its next request as soon as they arrive.
            beforeLastWrite.run();
            ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(reply.body(), offset, n)))
                    .addListener(f -> finish(reply));
            return;
        }
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(reply.body(), offset, n)));
        ctx.executor().schedule(() -> dribble(reply, offset + n, fault), fault.minDelay().toNanos(),
                TimeUnit.NANOSECONDS);
    }

    /** Announces the full length, sends half, then closes: with a reset (RST) or a plain FIN. */
    private void half(Reply reply, boolean reset) {
        int len = reply.body().length;
        ctx.write(head(reply, len));
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(reply.body(), 0, len / 2)))
                .addListener(f -> {
                    if (reset) {
                        ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                    }
                    Connections.closeByUs(ctx.channel());
                    onDone.run();
                });
    }

    /** Closes first when the reply asks for it, so that whatever {@code onDone} starts sees a closed channel. */
    private void finish(Reply reply) {
        if (reply.closes()) {
            Connections.closeByUs(ctx.channel());
        }
        onDone.run();
    }

    private static HttpResponse head(Reply reply, int length) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, reply.status());
        headers(response, reply, length);
        return response;
    }

    private static void headers(HttpResponse response, Reply reply, int length) {
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        reply.headers().forEach(response.headers()::set);
        if (reply.saysClose()) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
    }
}
