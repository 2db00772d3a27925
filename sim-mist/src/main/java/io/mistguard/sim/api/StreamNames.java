package io.mistguard.sim.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Knows where each Mist command carries stream names, so requests can be recorded and faults matched
 * per stream. Stateless.
 */
final class StreamNames {

    private StreamNames() {
    }

    /** Stream names touched by every command in {@code command}, in order; empty for none. */
    static List<String> touchedBy(ObjectNode command) {
        List<String> out = new ArrayList<>();
        if (command == null) {
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = command.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.addAll(of(e.getKey(), e.getValue()));
        }
        return List.copyOf(out);
    }

    /** Stream names carried by one command's value. */
    static List<String> of(String key, JsonNode value) {
        List<String> out = new ArrayList<>();
        switch (key) {
            case "invalidate_sessions", "stop_sessions", "nuke_stream", "deletestream" -> namesOrArray(value, out);
            case "push_auto_add" -> {
                if (value.has("stream")) {
                    out.add(value.get("stream").asText());
                } else if (value.isArray() && value.size() > 0) {
                    out.add(value.get(0).asText());
                }
            }
            case "push_auto_remove" -> value.forEach(entry -> out.add(entry.isArray() && entry.size() > 0
                    ? entry.get(0).asText() : entry.asText()));
            case "addstream" -> value.fieldNames().forEachRemaining(out::add);
            default -> {
            }
        }
        return out;
    }

    /** A string, an array of strings, or an object whose keys are names. */
    static void namesOrArray(JsonNode value, List<String> out) {
        if (value.isTextual()) {
            out.add(value.asText());
        } else if (value.isArray()) {
            value.forEach(v -> out.add(v.asText()));
        } else if (value.isObject()) {
            value.fieldNames().forEachRemaining(out::add);
        }
    }
}
