package io.mistguard.sim.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mistguard.sim.trigger.TriggerSender;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The stream and session commands: {@code active_streams}, {@code stats_streams},
 * {@code invalidate_sessions}, {@code stop_sessions}, {@code nuke_stream}, {@code addstream},
 * {@code deletestream}. Runs on the command thread.
 */
final class StreamCommands {

    private final SimState state;
    private final TriggerSender triggers;

    StreamCommands(SimState state, TriggerSender triggers) {
        this.state = state;
        this.triggers = triggers;
    }

    /** {@code true} lists names; an array of field names gives {@code {name: [field values…]}}. */
    JsonNode activeStreams(JsonNode fields) {
        Map<String, SimState.Stream> streams = state.streamsView();
        if (!fields.isArray()) {
            ArrayNode names = Json.MAPPER.createArrayNode();
            streams.keySet().forEach(names::add);
            return names;
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        streams.values().forEach(s -> out.set(s.name, fieldValues(s, fields)));
        return out;
    }

    /** {@code {name: [clients, lastms, …]}} for the requested fields. */
    JsonNode statsStreams(JsonNode fields) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        JsonNode asked = fields.isArray() ? fields : Json.MAPPER.createArrayNode().add("clients").add("lastms");
        state.streamsView().values().forEach(s -> out.set(s.name, fieldValues(s, asked)));
        return out;
    }

    private static ArrayNode fieldValues(SimState.Stream s, JsonNode fields) {
        ArrayNode values = Json.MAPPER.createArrayNode();
        for (JsonNode f : fields) {
            switch (f.asText()) {
                case "source" -> values.add(s.source);
                case "clients", "viewers" -> values.add(s.sessions.size());
                case "lastms" -> values.add(s.lastMs);
                case "firstms" -> values.add(0);
                default -> values.addNull();
            }
        }
        return values;
    }

    /** Re-runs USER_NEW (with the 7th line {@code lastUrl}) for every viewer session of each stream. */
    void invalidateSessions(JsonNode names) {
        for (String stream : names(names)) {
            List<SimState.Session> sessions = state.sessions(stream);
            state.log("INFO", "Invalidating " + sessions.size() + " sessions of " + stream);
            for (SimState.Session s : sessions) {
                List<String> payload = List.of(stream, s.address(), s.connectionId(), s.protocol(), s.url(),
                        s.id(), s.url());
                triggers.sendIfEnabled("USER_NEW", payload, true).thenAccept(outcome -> {
                    if (!outcome.allowed()) {
                        state.removeSession(stream, s.id());
                    }
                });
            }
        }
    }

    void stopSessions(JsonNode names) {
        for (String stream : names(names)) {
            state.log("INFO", "Stopped " + state.removeSessions(stream).size() + " sessions of " + stream);
        }
    }

    void nuke(JsonNode names) {
        for (String stream : names(names)) {
            state.nuke(stream);
            state.log("INFO", "Nuking stream " + stream);
        }
    }

    void addStream(JsonNode definitions) {
        definitions.fields().forEachRemaining(e -> state.addConfiguredStream(e.getKey(),
                e.getValue() instanceof ObjectNode o ? o : Json.MAPPER.createObjectNode()));
    }

    void deleteStream(JsonNode names) {
        names(names).forEach(state::deleteConfiguredStream);
    }

    private static List<String> names(JsonNode value) {
        List<String> out = new ArrayList<>();
        StreamNames.namesOrArray(value, out);
        return out;
    }
}
