package io.mistguard.sim.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the simulated Mist knows: active streams with their viewer sessions, pushes,
 * auto-pushes, configured streams, the config object (triggers) and accounts, plus a short log.
 *
 * <p>Thread-safe: every method synchronises on this object. Commands mutate it from the command
 * thread; tests and the Prometheus path read it from others.
 */
public final class SimState {

    /** One viewer session of a stream; the fields feed the USER_NEW payload. */
    public record Session(String id, String connectionId, String address, String protocol, String url) {
    }

    /** One outgoing push; a dead one is reaped (and PUSH_END fired) by the next {@code push_list}. */
    public record Push(long pid, String stream, String target, boolean dead, long startedAtSec, long bytes) {
    }

    static final class Stream {
        final String name;
        final String source;
        final long lastMs;
        final List<Session> sessions = new ArrayList<>();

        Stream(String name, String source, long lastMs) {
            this.name = name;
            this.source = source;
            this.lastMs = lastMs;
        }
    }

    private final Map<String, Stream> streams = new LinkedHashMap<>();
    private final Map<Long, Push> pushes = new LinkedHashMap<>();
    private final List<ArrayNode> autoPushes = new ArrayList<>();
    private final ObjectNode configuredStreams = Json.MAPPER.createObjectNode();
    private final ObjectNode config = Json.MAPPER.createObjectNode();
    private final Map<String, String> accountMd5 = new LinkedHashMap<>();
    private final MistLog log = new MistLog(100);
    private long nextPid = 3000;
    private long nextSession = 1;

    /**
     * A Mist with no active streams, pushes or accounts yet, one configured stream ({@code video}) and
     * the Prometheus passphrase {@code koekjes}; {@link io.mistguard.sim.SimMistBuilder} seeds it.
     */
    public SimState() {
        config.set("triggers", Json.MAPPER.createObjectNode());
        config.put("prometheus", "koekjes");
        ObjectNode video = configuredStreams.putObject("video");
        video.put("name", "video");
        video.put("source", "push://");
    }

    /** Adds (or replaces) an active stream with {@code viewers} simulated viewer sessions. */
    public synchronized void addStream(String name, int viewers) {
        Stream s = new Stream(name, "push://", 200_000L + streams.size() * 1000L);
        for (int i = 0; i < viewers; i++) {
            String id = Long.toHexString(0x5e55_0000L + nextSession++);
            s.sessions.add(new Session(id, Long.toString(nextSession), "127.0.0." + (1 + i % 250), "HLS",
                    "http://127.0.0.1:8080/hls/" + name + "/index.m3u8"));
        }
        streams.put(name, s);
    }

    /** Adds an account; Mist stores md5hex(password). */
    public synchronized void addAccount(String user, String password) {
        accountMd5.put(user, Md5.hex(password));
    }

    public synchronized List<String> streamNames() {
        return List.copyOf(streams.keySet());
    }

    /** The viewer sessions of an active stream (empty when it is not active). */
    public synchronized List<Session> sessions(String stream) {
        Stream s = streams.get(stream);
        return s == null ? List.of() : List.copyOf(s.sessions);
    }

    /** Starts a push of {@code stream} to {@code target}; returns its pid. */
    public synchronized long addPush(String stream, String target) {
        long pid = nextPid++;
        pushes.put(pid, new Push(pid, stream, target, false, System.currentTimeMillis() / 1000, 24_887_717L));
        return pid;
    }

    /** Marks a push as dead; the next {@code push_list} reaps it and fires PUSH_END. */
    public synchronized void killPush(long pid) {
        pushes.computeIfPresent(pid, (k, p) -> new Push(p.pid(), p.stream(), p.target(), true,
                p.startedAtSec(), p.bytes()));
    }

    public synchronized List<Push> pushes() {
        return List.copyOf(pushes.values());
    }

    /** Auto-push entries as Mist lists them: [stream, target, null × 6]. */
    public synchronized List<String> autoPushesJson() {
        return autoPushes.stream().map(Json::write).toList();
    }

    /** The current config object (including {@code triggers}) as JSON. */
    public synchronized String configJson() {
        return Json.write(config);
    }

    synchronized boolean hasAccounts() {
        return !accountMd5.isEmpty();
    }

    synchronized String passwordMd5(String user) {
        return accountMd5.get(user);
    }

    synchronized String passphrase() {
        return config.path("prometheus").asText("koekjes");
    }

    /** Sets the Prometheus passphrase: the paths {@code /<passphrase>} and {@code /<passphrase>.json}. */
    public synchronized void passphrase(String passphrase) {
        config.put("prometheus", passphrase);
    }

    /** Adds a line to Mist's log (as shown in non-minimal replies and on {@code /ws}), e.g. {@code INFO}. */
    public synchronized void log(String kind, String message) {
        log.add(kind, message);
    }

    /** The {@code last} most recent log lines, oldest first. */
    synchronized ArrayNode recentLogNode(int last) {
        return log.toJson(last);
    }

    synchronized ArrayNode logNode() {
        return log.toJson();
    }

    synchronized ObjectNode configNode() {
        return config.deepCopy();
    }

    synchronized ObjectNode configuredStreamsNode() {
        return configuredStreams.deepCopy();
    }

    /** Applies a {@code config} write: {@code triggers} replaces the whole map; other keys are set. */
    synchronized void writeConfig(ObjectNode changes) {
        changes.fields().forEachRemaining(e -> config.set(e.getKey(), e.getValue().deepCopy()));
    }

    synchronized Map<String, Stream> streamsView() {
        return new LinkedHashMap<>(streams);
    }

    synchronized List<Session> removeSessions(String stream) {
        Stream s = streams.get(stream);
        if (s == null) {
            return List.of();
        }
        List<Session> gone = List.copyOf(s.sessions);
        s.sessions.clear();
        return gone;
    }

    synchronized void removeSession(String stream, String sessionId) {
        Stream s = streams.get(stream);
        if (s != null) {
            s.sessions.removeIf(x -> x.id().equals(sessionId));
        }
    }

    synchronized boolean nuke(String stream) {
        pushes.values().removeIf(p -> p.stream().equals(stream));
        return streams.remove(stream) != null;
    }

    /** Removes dead pushes and returns them, so PUSH_END can be fired for each. */
    synchronized List<Push> reapDeadPushes() {
        List<Push> dead = new ArrayList<>();
        for (Iterator<Push> it = pushes.values().iterator(); it.hasNext(); ) {
            Push p = it.next();
            if (p.dead()) {
                dead.add(p);
                it.remove();
            }
        }
        return dead;
    }

    synchronized List<Push> stopPushes(List<Long> pids) {
        List<Push> stopped = new ArrayList<>();
        for (Long pid : pids) {
            Push p = pushes.remove(pid);
            if (p != null) {
                stopped.add(p);
            }
        }
        return stopped;
    }

    /** Upserts an auto-push: an entry with the same stream and target is replaced. */
    synchronized void upsertAutoPush(ArrayNode entry) {
        autoPushes.removeIf(e -> e.get(0).equals(entry.get(0)) && e.get(1).equals(entry.get(1)));
        autoPushes.add(entry);
    }

    /** Removes auto-pushes equal to {@code entry} (an array) or, for a plain name, all of that stream. */
    synchronized int removeAutoPush(com.fasterxml.jackson.databind.JsonNode entry) {
        int before = autoPushes.size();
        if (entry.isArray()) {
            autoPushes.removeIf(e -> e.equals(entry));
        } else {
            autoPushes.removeIf(e -> e.get(0).asText().equals(entry.asText()));
        }
        return before - autoPushes.size();
    }

    synchronized ArrayNode autoPushesNode() {
        ArrayNode out = Json.MAPPER.createArrayNode();
        autoPushes.forEach(e -> out.add(e.deepCopy()));
        return out;
    }

    synchronized void addConfiguredStream(String name, ObjectNode definition) {
        ObjectNode copy = definition.deepCopy();
        copy.put("name", name);
        configuredStreams.set(name, copy);
    }

    synchronized void deleteConfiguredStream(String name) {
        configuredStreams.remove(name);
    }
}
