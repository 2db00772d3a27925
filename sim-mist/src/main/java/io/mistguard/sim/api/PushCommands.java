package io.mistguard.sim.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mistguard.sim.trigger.TriggerSender;
import java.util.ArrayList;
import java.util.List;

/**
 * The push commands: {@code push_list} (which reaps dead pushes and fires PUSH_END, as Mist does under
 * its lock), {@code push_auto_add} (upsert), {@code push_auto_remove} (exact match) and
 * {@code push_stop}. Runs on the command thread.
 */
final class PushCommands {

    private final SimState state;
    private final TriggerSender triggers;

    PushCommands(SimState state, TriggerSender triggers) {
        this.state = state;
        this.triggers = triggers;
    }

    /** Entries are positional: {@code [pid, stream, target, effectiveTarget, logs, stats]}. */
    ArrayNode pushList() {
        state.reapDeadPushes().forEach(this::pushEnd);
        ArrayNode out = Json.MAPPER.createArrayNode();
        long now = System.currentTimeMillis() / 1000;
        for (SimState.Push p : state.pushes()) {
            ArrayNode entry = out.addArray().add(p.pid()).add(p.stream()).add(p.target()).add(p.target());
            entry.addArray().addArray().add(p.startedAtSec()).add("INFO").add("Pushing " + p.stream())
                    .add(p.stream());
            ObjectNode stats = entry.addObject();
            stats.put("active_seconds", now - p.startedAtSec());
            stats.put("bytes", p.bytes());
            stats.put("mediatime", (now - p.startedAtSec()) * 1000);
            stats.putArray("tracks").add(0).add(1);
        }
        return out;
    }

    /** Accepts {@code {"stream":…,"target":…}} or a positional array. */
    void autoAdd(JsonNode value) {
        ArrayNode entry = Json.MAPPER.createArrayNode();
        if (value.isArray()) {
            value.forEach(v -> entry.add(v.deepCopy()));
        } else {
            entry.add(value.path("stream").asText()).add(value.path("target").asText());
        }
        while (entry.size() < 8) {
            entry.addNull();
        }
        state.upsertAutoPush(entry);
    }

    /** Each element is a whole entry as listed (exact match) or a stream name. */
    void autoRemove(JsonNode value) {
        if (value.isArray()) {
            value.forEach(state::removeAutoPush);
        } else {
            state.removeAutoPush(value);
        }
    }

    void stop(JsonNode value) {
        List<Long> pids = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(v -> pids.add(v.asLong()));
        } else {
            pids.add(value.asLong());
        }
        state.stopPushes(pids).forEach(this::pushEnd);
    }

    private void pushEnd(SimState.Push p) {
        state.log("INFO", "Push " + p.pid() + " of " + p.stream() + " ended");
        triggers.sendIfEnabled("PUSH_END", List.of(Long.toString(p.pid()), p.stream(), p.target(), p.target(),
                "[]", "{\"active_seconds\":0}"), false);
    }
}
