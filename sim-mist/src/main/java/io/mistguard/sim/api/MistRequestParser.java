package io.mistguard.sim.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a Netty request into a {@link MistRequest} the way Mist 3.10 reads one: the body is the JSON
 * command only when the content type is exactly {@code application/json} (not even with a
 * {@code charset}); otherwise the command is the variable {@code command}, from a form body or else
 * the query string. {@code jsonp} (or else {@code callback}) names a JSONP wrapper. Stateless;
 * copies everything it needs out of the request buffer.
 */
final class MistRequestParser {

    static final String JSON_TYPE = "application/json";

    private MistRequestParser() {
    }

    static MistRequest parse(FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String body = request.content().toString(StandardCharsets.UTF_8);
        boolean jsonBody = JSON_TYPE.equals(request.headers().get(HttpHeaderNames.CONTENT_TYPE));
        Map<String, List<String>> form = jsonBody || body.isEmpty() ? Map.of()
                : new QueryStringDecoder(body, false).parameters();
        Map<String, List<String>> query = uri.parameters();
        String raw = jsonBody ? body : variable("command", form, query);
        ObjectNode command = raw == null ? null : Json.objectOrNull(raw);
        Set<String> keys = new LinkedHashSet<>();
        if (command != null) {
            command.fieldNames().forEachRemaining(keys::add);
        }
        String jsonp = variable("jsonp", form, query);
        if (jsonp == null) {
            jsonp = variable("callback", form, query);
        }
        return new MistRequest(request.method().name(), uri.path(), headers(request), body, command,
                Collections.unmodifiableSet(keys), StreamNames.touchedBy(command), jsonp);
    }

    /** A non-empty variable from the form body, else from the query string; {@code null} when neither has one. */
    private static String variable(String name, Map<String, List<String>> form, Map<String, List<String>> query) {
        String v = first(form.get(name));
        return v != null ? v : first(query.get(name));
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }

    private static Map<String, String> headers(FullHttpRequest request) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : request.headers()) {
            out.merge(h.getKey().toLowerCase(Locale.ROOT), h.getValue(), (a, b) -> a + ", " + b);
        }
        return Map.copyOf(out);
    }
}
