package io.mistguard.sim.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Mist's Prometheus endpoints {@code /<passphrase>} (text exposition) and {@code /<passphrase>.json}
 * (the JSON MistUtilLoad polls), built from a snapshot of {@link SimState}. Public (no login, proxy
 * headers or not), matched on the path alone so a query string does not matter, and answered the
 * way Mist 3.10 does: {@code Connection: close} without closing, and the request's header fields
 * echoed back as response headers (mist-api.md §8 saw {@code Host}, {@code User-Agent} and
 * {@code Accept}, all its client sent; Mist's source builds the answer on the request's own parser,
 * whose {@code StartResponse} keeps every header field, so all of them are echoed). Mist echoes what
 * its header map holds, so a header sent on several lines is echoed once, with its last line's value
 * (not the lines joined); a field the answer sets itself (same spelling) is replaced by its own.
 * Stateless; needs no lock.
 */
final class Prometheus {

    static final String TEXT_TYPE = "text/plain; version=0.0.4";
    static final String JSON_TYPE = "text/json";

    /**
     * Fields the answer sets itself, which replace the request's in Mist's map; lower case, compared
     * in any case (sim-mist's own aggregator adds a {@code content-length} the client never sent).
     */
    private static final java.util.Set<String> OWN = java.util.Set.of("content-type", "content-length", "connection",
                                                                      "transfer-encoding");

    private Prometheus() {
    }

    /** True for {@code /<passphrase>} and {@code /<passphrase>.json} (exact, case-sensitive). */
    static boolean matches(String path, String passphrase) {
        String text = "/" + passphrase;
        return path.equals(text) || path.equals(text + ".json");
    }

    static Reply reply(MistRequest request, SimState state) {
        boolean json = request.path().endsWith(".json");
        Map<String, String> echoed = new LinkedHashMap<>();
        request.mistHeaders().forEach((name, value) -> {
            if (!OWN.contains(name.toLowerCase(java.util.Locale.ROOT)) && !value.isEmpty()) { // Mist's BuildResponse skips a header whose value is ""
                echoed.put(name, value);
            }
        });
        return Reply.prometheus(json ? JSON_TYPE : TEXT_TYPE, json ? json(state) : text(state), echoed);
    }

    static byte[] text(SimState state) {
        StringBuilder out = new StringBuilder();
        Map<String, SimState.Stream> streams = state.streamsView();
        out.append("# HELP mist_logs Count of log messages since server start.\n# TYPE mist_logs counter\n")
                .append("mist_logs 1\n")
                .append("# HELP mist_viewers Number of sessions by type and stream.\n")
                .append("# TYPE mist_viewers gauge\n");
        long total = 0;
        for (SimState.Stream s : streams.values()) {
            int n = s.sessions.size();
            total += n;
            out.append("mist_viewers{stream=\"").append(s.name).append("\",sessType=\"viewers\"} ").append(n)
                    .append('\n');
        }
        out.append("# HELP mist_sessions_total Number of sessions active right now.\n")
                .append("# TYPE mist_sessions_total gauge\n")
                .append("mist_sessions_total{sessType=\"viewers\"} ").append(total).append('\n')
                .append("mist_streams_active ").append(streams.size()).append('\n');
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] json(SimState state) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("cpu", 12);
        root.put("mem_total", 16_000_000);
        root.put("mem_used", 4_000_000);
        ObjectNode streams = root.putObject("streams");
        long total = 0;
        for (SimState.Stream s : state.streamsView().values()) {
            int n = s.sessions.size();
            total += n;
            ObjectNode st = streams.putObject(s.name);
            st.putArray("curr").add(n).add(0).add(1).add(0);
            st.putArray("tot").add(n).add(0).add(1).add(0);
            st.put("tracks", 2);
            st.putArray("bw").add(0).add(n * 250_000L);
        }
        root.putArray("curr").add(total).add(0).add(streams.size()).add(0);
        return Json.write(root).getBytes(StandardCharsets.UTF_8);
    }
}
