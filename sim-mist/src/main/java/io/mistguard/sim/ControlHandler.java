package io.mistguard.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The control endpoint (its own port): {@code GET/POST/DELETE /faults}, {@code GET/DELETE /recording},
 * {@code GET/POST /triggers}. Last handler of the control pipeline; runs on the event loop and only
 * touches thread-safe components, so it never blocks.
 */
final class ControlHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final SimContext sim;

    ControlHandler(SimContext sim) {
        this.sim = sim;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        String method = request.method().name();
        String body = request.content().toString(StandardCharsets.UTF_8);
        Object result;
        try {
            result = route(method, path, body);
        } catch (IllegalArgumentException e) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, Map.of("error", e.getMessage()));
            return;
        }
        if (result == null) {
            respond(ctx, request, HttpResponseStatus.NOT_FOUND, Map.of("error", method + " " + path + " unknown"));
            return;
        }
        respond(ctx, request, HttpResponseStatus.OK, result);
    }

    private Object route(String method, String path, String body) {
        switch (method + " " + path) {
            case "GET /faults":
                return sim.faults().rules().stream().map(FaultSpecs::toMap).toList();
            case "POST /faults": {
                JsonNode node = parse(body);
                List<JsonNode> specs = node.isArray() ? listOf((ArrayNode) node) : List.of(node);
                specs.forEach(s -> sim.faults().add(FaultSpecs.fromMap(Json.MAPPER.convertValue(s, Map.class))));
                return Map.of("added", specs.size());
            }
            case "DELETE /faults":
                sim.faults().clear();
                return Map.of("cleared", true);
            case "GET /recording":
                return RecordingView.of(sim.recording());
            case "DELETE /recording":
                sim.recording().clear();
                return Map.of("cleared", true);
            case "GET /triggers":
                return sim.triggers().outcomes();
            case "POST /triggers": {
                ObjectNode t = (ObjectNode) parse(body);
                List<String> payload = Json.MAPPER.convertValue(t.path("payload"), List.class);
                sim.triggers().send(t.path("name").asText(), payload == null ? List.of() : payload,
                        t.path("blocking").asBoolean(true));
                return Map.of("sent", true);
            }
            case "GET /health":
                return Map.of("ok", true);
            default:
                return null;
        }
    }

    private static JsonNode parse(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (Exception e) {
            throw new IllegalArgumentException("body is not JSON: " + e.getMessage());
        }
    }

    private static List<JsonNode> listOf(ArrayNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).toList();
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                                Object body) {
        byte[] bytes = (Json.write(body) + "\n").getBytes(StandardCharsets.UTF_8);
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        var write = ctx.writeAndFlush(response);
        if (!keepAlive) {
            write.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
