package io.mistguard.sim.control;

import io.mistguard.sim.record.RecordedRequest;
import io.mistguard.sim.record.Recording;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The JSON shape of a {@link Recording} served by the control endpoint. Stateless. */
final class RecordingView {

    private RecordingView() {
    }

    static Map<String, Object> of(Recording recording) {
        List<RecordedRequest> requests = recording.requests();
        TreeSet<String> commands = new TreeSet<>();
        requests.forEach(r -> commands.addAll(r.commandKeys()));
        Map<String, Object> perCommand = new LinkedHashMap<>();
        for (String c : commands) {
            perCommand.put(c, Map.of("count", recording.commandCount(c), "executed", recording.executedCount(c),
                    "maxConcurrent", recording.maxConcurrent(c), "streams", recording.streamsFor(c)));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requestCount", recording.requestCount());
        out.put("connectionsOpened", recording.connectionsOpened());
        out.put("connectionsOpen", recording.connectionsOpen());
        out.put("maxConnectionsOpen", recording.maxConnectionsOpen());
        out.put("connectionsClosedByPeer", recording.connectionsClosedByPeer());
        out.put("pipelinedRequests", recording.pipelinedRequests());
        out.put("webSocketsOpened", recording.webSocketsOpened());
        out.put("webSocketsClosed", recording.webSocketsClosed());
        out.put("commands", perCommand);
        out.put("requests", requests.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seq", r.seq());
            m.put("connection", r.connectionId());
            m.put("at", r.receivedAt().toString());
            m.put("method", r.method());
            m.put("path", r.path());
            m.put("commandKeys", r.commandKeys());
            m.put("streams", r.streams());
            m.put("body", r.body());
            return m;
        }).toList());
        return out;
    }
}
