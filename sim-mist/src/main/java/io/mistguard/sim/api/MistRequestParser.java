package io.mistguard.sim.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns a Netty request into a {@link MistRequest} the way Mist 3.10 reads one
 * ({@code lib/http_parser.cpp}, {@code src/controller/controller_api.cpp}; mist-api.md §8). Mist
 * keeps headers and variables in maps, so a later header line or variable of a name replaces an
 * earlier one:
 * <ul>
 *   <li>the headers go into Mist's header map (see {@link MistRequest#header}): the last line of a
 *       name wins, for {@code Content-Type}, {@code Authorization}, the proxy headers and every other;
 *   <li>the path is the target up to the first {@code ?}, URL-decoded ({@code +} stays);
 *   <li>the variables are the query's, then — only for a {@code POST} whose {@code Content-Type} is
 *       exactly {@code application/x-www-form-urlencoded} (no parameters, no other case) — the form
 *       body's, which replace the query's; the last variable of a name wins ({@link MistVars});
 *   <li>the command is the whole body when {@code Content-Type} is exactly {@code application/json}
 *       (not even with a {@code charset}), otherwise the variable {@code command} — even an empty one
 *       from the body, which then hides the query's;
 *   <li>{@code jsonp}, else {@code callback} (whichever is non-empty), names a JSONP wrapper.
 * </ul>
 * Stateless; copies everything it needs out of the request buffer.
 */
final class MistRequestParser {

    static final String JSON_TYPE = "application/json";
    static final String FORM_TYPE = "application/x-www-form-urlencoded";

    private MistRequestParser() {
    }

    static MistRequest parse(FullHttpRequest request) {
        String method = request.method().name();
        String uri = request.uri();
        int queryStart = uri.indexOf('?');
        String path = MistVars.decode(queryStart < 0 ? uri : uri.substring(0, queryStart), false);
        Map<String, String> vars = new HashMap<>();
        if (queryStart >= 0) {
            MistVars.parse(uri.substring(queryStart + 1), vars);
        }
        SortedMap<String, String> mistHeaders = mistHeaders(request);
        String body = request.content().toString(StandardCharsets.UTF_8);
        // Mist looks the content type up in its header map: the last Content-Type line, compared exactly.
        String contentType = MistRequest.header(mistHeaders, "Content-Type");
        if ("POST".equals(method) && FORM_TYPE.equals(contentType)) {
            MistVars.parse(request.content().toString(StandardCharsets.ISO_8859_1), vars);
        }
        String raw = JSON_TYPE.equals(contentType) ? body : vars.get("command");
        ObjectNode command = raw == null ? null : Json.objectOrNull(raw);
        Set<String> keys = new LinkedHashSet<>();
        if (command != null) {
            command.fieldNames().forEachRemaining(keys::add);
        }
        String jsonp = nonEmpty(vars.get("jsonp"));
        if (jsonp == null) {
            jsonp = nonEmpty(vars.get("callback"));
        }
        return new MistRequest(method, path, receivedHeaders(request), mistHeaders, Map.copyOf(vars), body,
                command, Collections.unmodifiableSet(keys), StreamNames.touchedBy(command), jsonp);
    }

    private static String nonEmpty(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /**
     * Mist's header map: {@code SetHeader} for each line in order, so the last line of a name wins.
     * Names are kept as sent (Mist's map is case-sensitive; lookups fall back to ignoring case) and
     * names and values are trimmed of spaces and tabs.
     */
    private static SortedMap<String, String> mistHeaders(FullHttpRequest request) {
        SortedMap<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> h : request.headers()) {
            out.put(trim(h.getKey()), trim(h.getValue()));
        }
        return Collections.unmodifiableSortedMap(out);
    }

    /** Mist's {@code Trim}: spaces and tabs at either end. */
    private static String trim(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }

    /** The headers as they arrived, for the recording: names lower-cased, repeated lines joined. */
    private static Map<String, String> receivedHeaders(FullHttpRequest request) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : request.headers()) {
            out.merge(h.getKey().toLowerCase(Locale.ROOT), h.getValue(), (a, b) -> a + ", " + b);
        }
        return Map.copyOf(out);
    }
}
