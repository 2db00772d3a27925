package io.mistguard.sim.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * A request on the API port, decoded once on the event loop: where it went and which Mist command
 * (if any) it carries. Immutable apart from {@code command}, which only the command thread reads.
 * Public because the fault table matches it and the recording records it; only
 * {@link MistRequestParser} builds one.
 *
 * <p>Two views of the headers: {@code headers} is what arrived (for the recording: names
 * lower-cased, repeated lines joined with {@code ", "}), and {@code mistHeaders} is what Mist reads,
 * its header map; everything that acts on a header asks {@link #header} or {@link #hasHeader}.
 *
 * @param headers what arrived: names lower-cased, repeated lines joined with {@code ", "}
 * @param mistHeaders Mist's header map: names as sent, and for each name the value of its last line
 *        (a later line of the same name replaces an earlier one), sorted by name as Mist's
 *        {@code std::map} is
 * @param vars Mist's variables: the query's, then (for a {@code POST} whose {@code Content-Type} is
 *        exactly {@code application/x-www-form-urlencoded}) the form body's, the last of each name
 * @param command the command object, or {@code null} when the request carries no JSON command
 * @param jsonp the JSONP function name ({@code jsonp=}, else {@code callback=}), or {@code null}
 */
public record MistRequest(String method, String path, Map<String, String> headers,
                          SortedMap<String, String> mistHeaders, Map<String, String> vars, String body,
                          ObjectNode command, Set<String> commandKeys, List<String> streams, String jsonp) {

    /** True for {@code /api2}, where Mist answers only what was asked. */
    boolean minimal() {
        return path.equals("/api2");
    }

    boolean apiPath() {
        return path.equals("/api") || path.equals("/api2");
    }

    /**
     * The header {@code name} as Mist's {@code HTTP::Parser::GetHeader} finds it: the entry of exactly
     * that name, else the first entry (in the map's sorted order) whose name matches ignoring case;
     * {@code null} when there is none. Each entry holds the last line sent under its name.
     */
    public String header(String name) {
        return header(mistHeaders, name);
    }

    /** {@link #header(String)} on a header map of Mist's. */
    static String header(SortedMap<String, String> mistHeaders, String name) {
        String exact = mistHeaders.get(name);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, String> e : mistHeaders.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Whether Mist's {@code hasHeader} sees {@code name} (ignoring case; an empty value counts). */
    public boolean hasHeader(String name) {
        return header(name) != null;
    }

    /** Mist's {@code GetVar}: the variable's value, or {@code ""} when there is none. */
    String var(String name) {
        return vars.getOrDefault(name, "");
    }

    /** This request carrying {@code newCommand} instead (e.g. a login sent over a WebSocket). */
    MistRequest withCommand(ObjectNode newCommand) {
        Set<String> keys = new LinkedHashSet<>();
        newCommand.fieldNames().forEachRemaining(keys::add);
        return new MistRequest(method, path, headers, mistHeaders, vars, body, newCommand,
                Collections.unmodifiableSet(keys), List.of(), jsonp);
    }

    /**
     * True when a proxy header hides the peer, which disables local auto-authorisation: {@code X-Real-IP},
     * or also {@code X-Forwarded-For} unless {@code onlyRealIp} (Catalyst's fork, {@link MistBehaviour}).
     */
    boolean proxied(boolean onlyRealIp) {
        return hasHeader("X-Real-IP") || (!onlyRealIp && hasHeader("X-Forwarded-For"));
    }
}
