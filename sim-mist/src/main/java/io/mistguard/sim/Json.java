package io.mistguard.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/** Shared Jackson mapper and the few JSON helpers sim-mist needs. Thread-safe. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

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

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass(), e);
        }
    }
}
