package io.mistguard.sim.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Mist's rolling log as it appears in non-minimal replies: {@code [[unixSeconds, kind, message], …]},
 * capped so replies grow to a realistic size and no further. Not thread-safe; {@link SimState} guards it.
 */
final class MistLog {

    private final int capacity;
    private final Deque<Object[]> lines = new ArrayDeque<>();

    MistLog(int capacity) {
        this.capacity = capacity;
    }

    void add(String kind, String message) {
        if (lines.size() == capacity) {
            lines.removeFirst();
        }
        lines.addLast(new Object[] {System.currentTimeMillis() / 1000, kind, message});
    }

    ArrayNode toJson() {
        return toJson(lines.size());
    }

    /** The {@code last} most recent lines (all of them when there are fewer), oldest first. */
    ArrayNode toJson(int last) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        int skip = Math.max(0, lines.size() - Math.max(0, last));
        for (Object[] l : lines) {
            if (skip-- > 0) {
                continue;
            }
            out.addArray().add((Long) l[0]).add((String) l[1]).add((String) l[2]);
        }
        return out;
    }
}
