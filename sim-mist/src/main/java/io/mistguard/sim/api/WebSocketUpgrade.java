package io.mistguard.sim.api;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.util.List;

/**
 * Turns an API connection into a {@code /ws} live view, as Mist's web UI uses it: on
 * {@code GET /ws} with {@code Upgrade: websocket} it removes the {@link RequestGate}, puts a
 * {@link LiveLogSocket} in place of the Mist handler and completes the RFC 6455 handshake, which
 * swaps the HTTP codec for WebSocket frames. A {@code GET /ws} without the upgrade is an ordinary
 * unknown path (the web UI page). Stateless; called on the channel's event loop.
 */
final class WebSocketUpgrade {

    static final String PATH = "/ws";

    private WebSocketUpgrade() {
    }

    static boolean requested(MistRequest r) {
        return r.path().equals(PATH) && "websocket".equalsIgnoreCase(r.headers().get("upgrade"));
    }

    /**
     * Upgrades the connection, or answers Netty's {@code 426} for an unsupported WebSocket version and
     * runs {@code answered}. The request stays owned by the caller.
     */
    static void accept(ChannelHandlerContext ctx, FullHttpRequest request, MistRequest r, SimContext sim,
                       Runnable answered) {
        Channel ch = ctx.channel();
        String location = "ws://" + request.headers().get(HttpHeaderNames.HOST, "127.0.0.1") + PATH;
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(location, null, false)
                .newHandshaker(request);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch).addListener(f -> answered.run());
            return;
        }
        LiveLogSocket session = new LiveLogSocket(sim, handshaker, r, logLines(request.uri()));
        ChannelPipeline p = ctx.pipeline();
        p.remove(ApiChannelInitializer.GATE);
        p.replace(ApiChannelInitializer.MIST, "live-log", session);
        try {
            handshaker.handshake(ch, request).addListener(f -> {
                if (f.isSuccess()) {
                    session.start();
                } else {
                    Connections.closeByUs(ch);
                }
            });
        } catch (RuntimeException badHandshake) {
            // e.g. no Sec-WebSocket-Key: Mist would not have upgraded either.
            Connections.closeByUs(ch);
        }
    }

    /** {@code logs=N}: how many recent log lines to send once authorised (0 when absent or not a number). */
    private static int logLines(String uri) {
        List<String> logs = new QueryStringDecoder(uri).parameters().get("logs");
        try {
            return logs == null || logs.isEmpty() ? 0 : Math.max(0, Integer.parseInt(logs.get(0)));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
