package io.mistguard.sim.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Shared Jackson mapper and the few JSON helpers sim-mist needs. The mapper and {@link #write} are
 * public for the control port and the builder; Mist's wire-form helpers stay in this package.
 * Thread-safe.
 */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** Parses {@code text} as a JSON object, or returns {@code null} when it is not one. */
    static ObjectNode objectOrNull(String text) {
        try {
            JsonNode node = MAPPER.readTree(text);
            return node instanceof ObjectNode object ? object : null;
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Mist's wire form of a reply: compact JSON followed by a blank line, or {@code jsonp(JSON);} and a
     * blank line when a JSONP function is named.
     */
    static byte[] mistBody(JsonNode node, String jsonp) {
        String json = write(node);
        return ((jsonp == null ? json : jsonp + "(" + json + ");") + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A copy of {@code node} with the keys of every object, at every depth, in sorted order. */
    static JsonNode sorted(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            ObjectNode out = MAPPER.createObjectNode();
            names.forEach(n -> out.set(n, sorted(object.get(n))));
            return out;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode out = MAPPER.createArrayNode();
            array.forEach(e -> out.add(sorted(e)));
            return out;
        }
        return node;
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass(), e);
        }
    }
}
