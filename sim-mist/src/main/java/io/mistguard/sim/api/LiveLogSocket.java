package io.mistguard.sim.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import java.time.Duration;

/**
 * One {@code /ws} session after the handshake, with the API's per-connection trust. Its first text
 * frame is {@code {"authorize":{…}}} exactly as the API would answer that connection (local and OK for
 * a loopback connection without proxy headers, {@code CHALL} otherwise); a text frame
 * {@code {"authorize":{"username":…,"password":…}}} logs in as on the API. Once authorised it sends
 * the {@code logs=N} most recent log lines, one text frame each: {@code ["log",[unixSeconds,kind,
 * message]]}. Nothing else is pushed (no live updates, no stream events); other frames are ignored,
 * pings answered, a close echoed.
 *
 * <p>Last handler of an upgraded API channel, after Netty's WebSocket decoder and encoder. Runs on
 * the event loop; the trust check runs on the command thread, which owns {@link ConnectionAuth}.
 * Frames are released by {@link SimpleChannelInboundHandler}.
 */
final class LiveLogSocket extends SimpleChannelInboundHandler<WebSocketFrame> {

    private final SimContext sim;
    private final WebSocketServerHandshaker handshaker;
    private final MistRequest upgrade;
    private final int logLines;
    private ChannelHandlerContext ctx;
    private boolean opened;
    private boolean logsSent;

    LiveLogSocket(SimContext sim, WebSocketServerHandshaker handshaker, MistRequest upgrade, int logLines) {
        this.sim = sim;
        this.handshaker = handshaker;
        this.upgrade = upgrade;
        this.logLines = logLines;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** The handshake is done: record the session and send the connection's authorize object. */
    void start() {
        opened = true;
        sim.recording().webSocketOpened();
        authorize(upgrade);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof CloseWebSocketFrame close) {
            handshaker.close(ctx.channel(), close.retain());
        } else if (frame instanceof PingWebSocketFrame) {
            ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
        } else if (frame instanceof TextWebSocketFrame text) {
            ObjectNode command = Json.objectOrNull(text.text());
            if (command != null && command.has("authorize")) {
                authorize(upgrade.withCommand(command));
            }
        }
    }

    private void authorize(MistRequest request) {
        ConnectionAuth auth = ctx.channel().attr(Connections.AUTH).get();
        sim.lock().submit(Duration.ZERO, () -> sim.executor().authorize(request, auth))
                .whenComplete((result, error) -> ctx.executor().execute(() -> {
                    if (error == null) {
                        answer(result);
                    }
                }));
    }

    private void answer(Authorizer.Result result) {
        if (!ctx.channel().isActive()) {
            return;
        }
        ObjectNode frame = Json.MAPPER.createObjectNode();
        frame.set("authorize", result.node());
        ctx.write(new TextWebSocketFrame(Json.write(frame)));
        if (result.ok() && !logsSent) {
            logsSent = true;
            for (JsonNode line : sim.state().recentLogNode(logLines)) {
                ArrayNode event = Json.MAPPER.createArrayNode().add("log").add(line);
                ctx.write(new TextWebSocketFrame(Json.write(event)));
            }
        }
        ctx.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (opened) {
            sim.recording().webSocketClosed();
        }
        ctx.fireChannelInactive();
    }
}
