package io.mistguard.sim.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
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

    /**
     * The request headers a WebSocket handshake reads, spelt as Mist looks them up (its header map
     * prefers an entry of exactly this name over one that differs in case).
     */
    private static final List<String> HANDSHAKE_HEADERS = List.of("Host", "Connection", "Upgrade",
            "Sec-WebSocket-Version", "Sec-WebSocket-Key");

    private WebSocketUpgrade() {
    }

    static boolean requested(MistRequest r) {
        return r.path().equals(PATH) && "websocket".equalsIgnoreCase(r.header("Upgrade"));
    }

    /**
     * Upgrades the connection, or answers Netty's {@code 426} for an unsupported WebSocket version and
     * runs {@code answered}. The request stays owned by the caller.
     */
    static void accept(ChannelHandlerContext ctx, FullHttpRequest request, MistRequest r, SimContext sim,
                       Runnable answered) {
        Channel ch = ctx.channel();
        String host = r.header("Host");
        String location = "ws://" + (host == null ? "127.0.0.1" : host) + PATH;
        FullHttpRequest asMistReadsIt = asMistReadsIt(request, r);
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(location, null, false)
                .newHandshaker(asMistReadsIt);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch).addListener(f -> answered.run());
            return;
        }
        LiveLogSocket session = new LiveLogSocket(sim, handshaker, r, logLines(r.var("logs")));
        ChannelPipeline p = ctx.pipeline();
        p.remove(ApiChannelInitializer.GATE);
        p.replace(ApiChannelInitializer.MIST, "live-log", session);
        try {
            handshaker.handshake(ch, asMistReadsIt).addListener(f -> {
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

    /**
     * {@code logs=N} (Mist's variable: the last {@code logs=}): how many recent log lines to send once
     * authorised (0 when absent or not a number).
     */
    private static int logLines(String logs) {
        try {
            return logs.isEmpty() ? 0 : Math.max(0, Integer.parseInt(logs));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The handshake request with the headers the handshake reads set as Mist's header map has them (the
     * last line of each), so Netty's handshaker, which takes a header's first line, decides as Mist's
     * {@code HTTP::Websocket} would. No body: a {@code GET} upgrade has none, and nothing to release.
     */
    private static FullHttpRequest asMistReadsIt(FullHttpRequest request, MistRequest r) {
        FullHttpRequest copy = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                request.uri(), Unpooled.EMPTY_BUFFER);
        copy.headers().set(request.headers());
        for (String name : HANDSHAKE_HEADERS) {
            String value = r.header(name);
            if (value == null) {
                copy.headers().remove(name);
            } else {
                copy.headers().set(name, value);
            }
        }
        return copy;
    }
}
