package io.mistguard.sim.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request on the API port, decoded once on the event loop: where it went and which Mist command
 * (if any) it carries. Immutable apart from {@code command}, which only the command thread reads.
 * Public because the fault table matches it and the recording records it; only
 * {@link MistRequestParser} builds one.
 *
 * @param command the command object, or {@code null} when the request carries no JSON command
 * @param jsonp the JSONP function name ({@code jsonp=} or {@code callback=}), or {@code null}
 */
public record MistRequest(String method, String path, Map<String, String> headers, String body,
                          ObjectNode command, Set<String> commandKeys, List<String> streams, String jsonp) {

    /** True for {@code /api2}, where Mist answers only what was asked. */
    boolean minimal() {
        return path.equals("/api2");
    }

    boolean apiPath() {
        return path.equals("/api") || path.equals("/api2");
    }

    /** This request carrying {@code newCommand} instead (e.g. a login sent over a WebSocket). */
    MistRequest withCommand(ObjectNode newCommand) {
        Set<String> keys = new LinkedHashSet<>();
        newCommand.fieldNames().forEachRemaining(keys::add);
        return new MistRequest(method, path, headers, body, newCommand, Collections.unmodifiableSet(keys),
                List.of(), jsonp);
    }

    /** True when a proxy header hides the peer, which disables local auto-authorisation. */
    boolean proxied() {
        return headers.containsKey("x-real-ip") || headers.containsKey("x-forwarded-for");
    }
}
