package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.Decisions;
import io.mistguard.proxy.net.TcpState;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;

/**
 * What a client's FIN means while its request is being answered: the client shut down its sending
 * side and still waits ({@code nc}, BusyBox {@code wget}, health checks), or it gave up and closed.
 * TCP shows both the same way; only data sent to the client tells them apart, since a closed socket
 * answers data with a reset.
 *
 * <ul>
 *   <li>A FIN that comes with the request — in the same event-loop pass, or within
 *       {@link #WITH_REQUEST_NANOS} of the request being handed on — is a half-close: such clients
 *       send it right after the request. The answer is written, then the connection is closed
 *       (HAProxy's default, without {@code abortonclose}).
 *   <li>A later FIN on HTTP/1.1, while the answer is still not there {@link #PROBE_AFTER_MS} later,
 *       is probed with an interim {@code 100 Continue}, which RFC 9110 §15.2 lets a server send
 *       before a final answer and requires every HTTP/1.1 client to accept: a client that still reads
 *       skips it and gets its answer; one that closed answers with a reset, which the kernel records
 *       ({@link TcpState#ended}) and a few checks after the probe turn into a close, cancelling the
 *       exchange like any other caller that went away. Answers that come sooner need no probe, so a
 *       waiting client sees one only when Mist is slow, and a gone one holds its upstream work for
 *       that long at most.
 *   <li>HTTP/1.0 must not be sent a 1xx (RFC 9110 §15.2), so a later FIN there is taken as a
 *       half-close as well: the answer is written, and upstream work stays bounded by the route.
 * </ul>
 * On the NIO transport the reset cannot be seen before the answer is written. Stateless.
 */
final class ClientHalfClose {

    /** How soon after its request is handed on a FIN still counts as part of it. */
    static final long WITH_REQUEST_NANOS = TimeUnit.MICROSECONDS.toNanos(1000);
    /** How long a late FIN waits for the answer before the client is probed. */
    static final long PROBE_AFTER_MS = 200;
    /** When to look for the reset after a probe went out. */
    private static final long[] CHECKS_MS = {2, 20, 200, 1000};

    private ClientHalfClose() {
    }

    /**
     * Whether a FIN should be probed.
     *
     * @param sameLoopPass whether the event loop has not finished the pass that read the request
     * @param sinceRequestNanos time since the request was handed on
     */
    static boolean probes(boolean sameLoopPass, long sinceRequestNanos, HttpVersion version) {
        return !sameLoopPass && sinceRequestNanos > WITH_REQUEST_NANOS && !version.equals(HttpVersion.HTTP_1_0);
    }

    /** Sends the probe; closes the connection when the client turns out to be gone. */
    static void probe(ChannelHandlerContext ctx) {
        FullHttpResponse probe = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE);
        probe.headers().set(Decisions.HEADER, "probe; reason=half-close");
        ctx.writeAndFlush(probe).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                ctx.close();
            } else {
                check(ctx, 0);
            }
        });
    }

    private static void check(ChannelHandlerContext ctx, int n) {
        if (n == CHECKS_MS.length) {
            return;
        }
        ctx.executor().schedule(() -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (TcpState.ended(ctx.channel())) {
                ctx.close(); // the client reset the probe: it is gone
            } else {
                check(ctx, n + 1);
            }
        }, CHECKS_MS[n], TimeUnit.MILLISECONDS);
    }
}
