package io.mistguard.sim.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How sim-mist lays out the JSON of an API reply; chosen once per sim-mist with
 * {@link io.mistguard.sim.SimMistBuilder#replyShape(ReplyShape)}. Immutable.
 */
public enum ReplyShape {

    /**
     * sim-mist's original layout, the default: {@code LTS}, {@code authorize}, one key per command in
     * request order, then {@code config}, {@code streams}, {@code log}; empty collections as
     * {@code []} or {@code {}}.
     */
    INSERTION_ORDER,

    /**
     * What Mist 3.10 sends (mist-api.md §8): object keys sorted at every level (Mist's JSON objects
     * are sorted maps), {@code active_streams}, {@code stats_streams}, {@code push_list} and
     * {@code push_auto_list} as {@code null} when empty, and {@code push_auto_list} also answered
     * under its legacy key {@code auto_push}.
     */
    MIST_3_10;

    /** A command's collection as this shape writes it. */
    JsonNode collection(JsonNode value) {
        return this == MIST_3_10 && value.isEmpty() ? NullNode.getInstance() : value;
    }

    /** Whether {@code push_auto_list} is also answered as {@code auto_push}. */
    boolean legacyAutoPushKey() {
        return this == MIST_3_10;
    }

    /** The finished reply object, keys in this shape's order. */
    JsonNode finish(ObjectNode reply) {
        return this == MIST_3_10 ? Json.sorted(reply) : reply;
    }
}
