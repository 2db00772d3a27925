package io.mistguard.sim.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mistguard.sim.record.Recording;
import io.mistguard.sim.trigger.TriggerSender;
import java.util.Iterator;
import java.util.Map;

/**
 * Executes one request's Mist command object against {@link SimState} and builds the reply:
 * {@code LTS}, {@code authorize}, one key per command, then (except on {@code /api2})
 * {@code config}, {@code streams} and {@code log}, laid out by the {@link ReplyShape} in force;
 * {@code addstream} and {@code deletestream} get Mist's "incomplete list" as {@code streams} on
 * every path. An
 * {@code Authorization: json {…}} header is checked first: bad JSON or wrong credentials get
 * {@code 403 Not authorized} and run nothing. Commands that ran are told to the {@link Recording}.
 * Runs only on the command thread, which is what makes it Mist's global lock.
 */
final class CommandExecutor {

    private static final String JSON_AUTH = "json ";

    private final SimState state;
    private final MistBehaviour behaviour;
    private final ReplyShape shape;
    private final Authorizer authorizer;
    private final StreamCommands streamCommands;
    private final PushCommands pushCommands;
    private final Recording recording;

    CommandExecutor(SimState state, TriggerSender triggers, MistBehaviour behaviour, Recording recording) {
        this.state = state;
        this.recording = recording;
        this.behaviour = behaviour;
        this.shape = behaviour.replyShape();
        this.authorizer = new Authorizer(state, behaviour.catalystLoginPenalty(), behaviour.onlyRealIpHidesPeer());
        this.streamCommands = new StreamCommands(state, triggers);
        this.pushCommands = new PushCommands(state, triggers);
    }

    CommandReply execute(MistRequest request, ConnectionAuth auth) {
        String header = request.header("Authorization");
        if (header != null && header.startsWith(JSON_AUTH)
                && !authorizer.headerLogin(header.substring(JSON_AUTH.length()), auth)) {
            return CommandReply.forbidden(JSON_AUTH + Json.write(authorizer.challenge(auth)));
        }
        Authorizer.Result result = authorizer.check(request, auth);
        ObjectNode out = Json.MAPPER.createObjectNode();
        if (!result.ok()) {
            out.set("authorize", result.node());
            return new CommandReply(Json.mistBody(shape.finish(out), request.jsonp()), behaviour.catalystLoginPenalty(),
                    result.closeAfter(), null);
        }
        out.put("LTS", 1);
        out.set("authorize", result.node());
        ObjectNode command = request.command() == null ? Json.MAPPER.createObjectNode() : request.command();
        for (Iterator<Map.Entry<String, JsonNode>> it = command.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            run(e.getKey(), e.getValue(), out);
        }
        recording.executed(request);
        if (!request.minimal()) {
            out.set("config", state.configNode());
        }
        if (command.has("addstream") || command.has("deletestream")) {
            out.set("streams", changedStreams(command.path("addstream")));
        } else if (!request.minimal()) {
            out.set("streams", state.configuredStreamsNode());
        }
        if (!request.minimal()) {
            out.set("log", state.logNode());
        }
        return CommandReply.ok(Json.mistBody(shape.finish(out), request.jsonp()));
    }

    /** Only Mist's trust check for this connection (for the {@code /ws} live view): no command runs. */
    Authorizer.Result authorize(MistRequest request, ConnectionAuth auth) {
        return authorizer.check(request, auth);
    }

    /**
     * What Mist answers as {@code streams} to an {@code addstream}/{@code deletestream}, on any path:
     * {@code "incomplete list":1} plus the streams just added (deletions cannot fail, so none are named).
     */
    private ObjectNode changedStreams(JsonNode added) {
        ObjectNode configured = state.configuredStreamsNode();
        ObjectNode out = Json.MAPPER.createObjectNode().put("incomplete list", 1);
        added.fieldNames().forEachRemaining(name -> {
            if (configured.has(name)) {
                out.set(name, configured.get(name));
            }
        });
        return out;
    }

    private void run(String key, JsonNode value, ObjectNode out) {
        switch (key) {
            case "active_streams" -> out.set(key, shape.collection(streamCommands.activeStreams(value)));
            case "stats_streams" -> out.set(key, shape.collection(streamCommands.statsStreams(value)));
            case "invalidate_sessions" -> streamCommands.invalidateSessions(value);
            case "stop_sessions" -> streamCommands.stopSessions(value);
            case "nuke_stream" -> streamCommands.nuke(value);
            case "addstream" -> streamCommands.addStream(value);
            case "deletestream" -> streamCommands.deleteStream(value);
            case "push_list" -> out.set(key, shape.collection(pushCommands.pushList()));
            case "push_auto_list" -> {
                JsonNode list = shape.collection(state.autoPushesNode());
                out.set(key, list);
                if (shape.legacyAutoPushKey()) {
                    out.set("auto_push", list.deepCopy());
                }
            }
            case "push_auto_add" -> pushCommands.autoAdd(value);
            case "push_auto_remove" -> pushCommands.autoRemove(value);
            case "push_stop" -> pushCommands.stop(value);
            case "config" -> {
                if (value instanceof ObjectNode changes && !changes.isEmpty()) {
                    state.writeConfig(changes);
                    state.log("CONF", "Config changed: " + String.join(",", iterable(changes)));
                }
                out.set("config", state.configNode());
            }
            default -> {
                // "authorize" was handled already; Mist ignores commands it does not know.
            }
        }
    }

    private static Iterable<String> iterable(ObjectNode node) {
        return node::fieldNames;
    }
}
