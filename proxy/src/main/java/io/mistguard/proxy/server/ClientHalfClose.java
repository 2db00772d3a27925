package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.AnswerHeaders;
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
 *   <li>Whatever the client sent is answered; when the answer is written the connection closes
 *       (HAProxy's default, without {@code abortonclose}).
 *   <li>On HTTP/1.1, if the answer is still not there {@link #PROBE_AFTER_MS} after the FIN, the
 *       client is probed with an interim {@code 100 Continue}, which RFC 9110 §15.2 lets a server send
 *       before a final answer and requires every HTTP/1.1 client to accept: a client that still reads
 *       skips it and gets its answer; one that closed answers with a reset, which the kernel records
 *       ({@link TcpState#ended}) and a few checks after the probe turn into a close, cancelling the
 *       exchange like any other caller that went away. Answers that come sooner need no probe, so a
 *       waiting client sees one only when Mist is slow, and a gone one holds its upstream work that
 *       long at most.
 *   <li>HTTP/1.0 must not be sent a 1xx (RFC 9110 §15.2): its FIN is taken as a half-close, and a gone
 *       HTTP/1.0 caller's upstream work stays bounded by the route's budget.
 * </ul>
 * On the NIO transport the reset cannot be seen before the answer is written. Used by the proxy
 * listener's requests and by the WebSocket tunnel's handshake (an upgrade is always HTTP/1.1).
 * Stateless; call from the connection's event loop.
 */
public final class ClientHalfClose {

    /** How long after a FIN the answer may take before the client is probed. */
    public static final long PROBE_AFTER_MS = 200;
    /** When to look for the reset after a probe went out. */
    private static final long[] CHECKS_MS = {2, 20, 200, 1000};

    private ClientHalfClose() {
    }

    /** Whether a client of {@code version} that sent a FIN may be probed: HTTP/1.1 and later. */
    public static boolean probes(HttpVersion version) {
        return version.compareTo(HttpVersion.HTTP_1_1) >= 0; // no 1xx to an older client (RFC 9110 §15.2)
    }

    /** Sends the probe; closes the connection when the client turns out to be gone. */
    public static void probe(ChannelHandlerContext ctx) {
        FullHttpResponse probe = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE);
        probe.headers().set(AnswerHeaders.DECISION, "probe; reason=half-close"); // an interim answer, not a decision
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
