package io.mistguard.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a Netty request into a {@link MistRequest} the way Mist reads one: a raw JSON body when the
 * content type is {@code application/json}, else a form field {@code command=}, else a query
 * parameter {@code command=}. Stateless; copies everything it needs out of the request buffer.
 */
final class MistRequestParser {

    private MistRequestParser() {
    }

    static MistRequest parse(FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String body = request.content().toString(StandardCharsets.UTF_8);
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
        String raw = null;
        if (contentType.startsWith("application/json")) {
            raw = body;
        } else if (!body.isEmpty()) {
            raw = first(new QueryStringDecoder(body, false).parameters().get("command"));
        }
        if (raw == null) {
            raw = first(uri.parameters().get("command"));
        }
        ObjectNode command = raw == null ? null : Json.objectOrNull(raw);
        Set<String> keys = new LinkedHashSet<>();
        if (command != null) {
            command.fieldNames().forEachRemaining(keys::add);
        }
        return new MistRequest(request.method().name(), uri.path(), headers(request), body, command,
                java.util.Collections.unmodifiableSet(keys),
                StreamNames.touchedBy(command));
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static Map<String, String> headers(FullHttpRequest request) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : request.headers()) {
            out.merge(h.getKey().toLowerCase(Locale.ROOT), h.getValue(), (a, b) -> a + ", " + b);
        }
        return Map.copyOf(out);
    }
}
