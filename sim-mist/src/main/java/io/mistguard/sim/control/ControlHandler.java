package io.mistguard.sim.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mistguard.sim.api.Json;
import io.mistguard.sim.fault.FaultSpecs;
import io.mistguard.sim.fault.Faults;
import io.mistguard.sim.record.Recording;
import io.mistguard.sim.trigger.TriggerOutcome;
import io.mistguard.sim.trigger.TriggerSender;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The control endpoint (its own port): {@code GET/POST/DELETE /faults}, {@code GET/POST/DELETE /chaos}
 * ({@link ChaosControl}), {@code GET/DELETE /recording}, {@code GET/POST /triggers}. Every call is answered: 404 for an unknown route, 400 for a malformed
 * body, 409 for a trigger when no trigger URL is configured. Last handler of the control pipeline
 * ({@link ControlChannelInitializer}); runs on the event loop and only touches thread-safe
 * components, so it never blocks.
 */
final class ControlHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final Faults faults;
    private final ChaosControl chaos;
    private final Recording recording;
    private final TriggerSender triggers;

    ControlHandler(Faults faults, ChaosControl chaos, Recording recording, TriggerSender triggers) {
        this.faults = faults;
        this.chaos = chaos;
        this.recording = recording;
        this.triggers = triggers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        String method = request.method().name();
        String body = request.content().toString(StandardCharsets.UTF_8);
        // Every request gets an answer: a control call that threw must not leave its caller hanging.
        HttpResponseStatus status = HttpResponseStatus.OK;
        Object result;
        try {
            result = route(method, path, body);
            if (result == null) {
                status = HttpResponseStatus.NOT_FOUND;
                result = Map.of("error", method + " " + path + " unknown");
            }
        } catch (IllegalArgumentException e) {
            status = HttpResponseStatus.BAD_REQUEST;
            result = Map.of("error", e.getMessage());
        } catch (IllegalStateException e) {
            // e.g. POST /triggers on a sim-mist started without a trigger URL
            status = HttpResponseStatus.CONFLICT;
            result = Map.of("error", e.getMessage());
        } catch (RuntimeException e) {
            status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
            result = Map.of("error", String.valueOf(e));
        }
        respond(ctx, request, status, result);
    }

    private Object route(String method, String path, String body) {
        switch (method + " " + path) {
            case "GET /faults":
                return faults.rules().stream().map(FaultSpecs::toMap).toList();
            case "POST /faults": {
                JsonNode node = parse(body);
                List<JsonNode> specs = node.isArray() ? listOf((ArrayNode) node) : List.of(node);
                specs.forEach(s -> faults.add(FaultSpecs.fromMap(Json.MAPPER.convertValue(s, Map.class))));
                return Map.of("added", specs.size());
            }
            case "DELETE /faults":
                faults.clear();
                return Map.of("cleared", true);
            case "GET /chaos":
                return chaos.view();
            case "POST /chaos":
                return chaos.start(body.isBlank() ? Json.MAPPER.createObjectNode() : parse(body));
            case "DELETE /chaos":
                return chaos.stop();
            case "GET /recording":
                return RecordingView.of(recording);
            case "DELETE /recording":
                recording.clear();
                return Map.of("cleared", true);
            case "GET /triggers":
                return triggers.outcomes().stream().map(ControlHandler::outcomeView).toList();
            case "POST /triggers":
                return sendTrigger(parse(body));
            case "GET /health":
                return Map.of("ok", true);
            default:
                return null;
        }
    }

    /** {@code {"name": "USER_NEW", "payload": ["line", …], "blocking": true}}; payload and blocking optional. */
    private Object sendTrigger(JsonNode t) {
        if (!(t instanceof ObjectNode) || !t.path("name").isTextual() || t.path("name").asText().isEmpty()) {
            throw new IllegalArgumentException("trigger: " + t + " (expected: {\"name\": \"USER_NEW\", "
                    + "\"payload\": [\"line\", ...], \"blocking\": true})");
        }
        JsonNode lines = t.path("payload");
        List<String> payload = new ArrayList<>();
        if (!lines.isMissingNode()) {
            if (!lines.isArray()) {
                throw new IllegalArgumentException("trigger payload: " + lines + " (expected: an array of lines)");
            }
            lines.forEach(l -> payload.add(l.asText()));
        }
        triggers.send(t.get("name").asText(), payload, t.path("blocking").asBoolean(true));
        return Map.of("sent", true);
    }

    /** An outcome as JSON: the record's fields, with the latency in milliseconds. */
    private static Map<String, Object> outcomeView(TriggerOutcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trigger", o.trigger());
        m.put("triggerUuid", o.triggerUuid());
        m.put("payload", o.payload());
        m.put("blocking", o.blocking());
        m.put("attemptResults", o.attemptResults());
        m.put("response", o.response());
        m.put("usedDefault", o.usedDefault());
        m.put("allowed", o.allowed());
        m.put("latencyMs", o.latency().toMillis());
        return m;
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
