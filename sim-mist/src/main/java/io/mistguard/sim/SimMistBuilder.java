package io.mistguard.sim;

import io.mistguard.sim.api.MistApi;
import io.mistguard.sim.api.MistBehaviour;
import io.mistguard.sim.api.ReplyShape;
import io.mistguard.sim.api.SimState;
import io.mistguard.sim.fault.Durations;
import io.mistguard.sim.fault.FaultSpecs;
import io.mistguard.sim.fault.Faults;
import io.mistguard.sim.record.Recording;
import io.mistguard.sim.trigger.TriggerSender;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Configures and starts a {@link SimMist}. Scenario values apply first; anything set on the builder
 * overrides them. Not thread-safe; use once.
 */
public final class SimMistBuilder {

    private String host = "127.0.0.1";
    private int port;
    private int controlPort = -1;
    private Integer streams;
    private Integer viewers;
    private String prefix;
    private Path scenario;
    private String triggerUrl;
    private Duration triggerAttemptTimeout;
    private Integer triggerAttempts;
    private String passphrase;
    private final Map<String, String> accounts = new LinkedHashMap<>();
    private boolean noAccounts;
    private int ioThreads = 2;
    private Boolean catalystLoginPenalty;
    private Boolean onlyRealIpHidesPeer;
    private ReplyShape replyShape;

    SimMistBuilder() {
    }

    public SimMistBuilder host(String host) { this.host = host; return this; }
    /** 0 (the default) binds an ephemeral port. */
    public SimMistBuilder port(int port) { this.port = port; return this; }
    /** -1 (the default) = no control listener; 0 = ephemeral. */
    public SimMistBuilder controlPort(int controlPort) { this.controlPort = controlPort; return this; }
    /** {@code count} active streams named {@code video+stream0…}, each with {@code viewersEach} sessions. */
    public SimMistBuilder streams(int count, int viewersEach) { streams = count; viewers = viewersEach; return this; }
    public SimMistBuilder streamPrefix(String prefix) { this.prefix = prefix; return this; }
    public SimMistBuilder scenario(Path file) { this.scenario = file; return this; }
    /** Where triggers go; without it no trigger is sent. */
    public SimMistBuilder triggerUrl(String url) { this.triggerUrl = url; return this; }
    /** Per-attempt trigger timeout (Mist: 5 s). */
    public SimMistBuilder triggerAttemptTimeout(Duration t) { this.triggerAttemptTimeout = t; return this; }
    /** Attempts per blocking trigger (Mist: 5). */
    public SimMistBuilder triggerAttempts(int n) { this.triggerAttempts = n; return this; }
    /** The Prometheus passphrase (default {@code koekjes}). */
    public SimMistBuilder passphrase(String p) { this.passphrase = p; return this; }
    /** Adds an account; without any, {@code test}/{@code test} is created unless {@link #noAccounts()}. */
    public SimMistBuilder account(String user, String password) { accounts.put(user, password); return this; }
    /** Starts with no accounts, so every command answers {@code NOACC}. */
    public SimMistBuilder noAccounts() { this.noAccounts = true; return this; }
    public SimMistBuilder ioThreads(int n) { this.ioThreads = n; return this; }
    /**
     * Catalyst's fork penalty: sleep 1 s before every unauthorised reply and close the connection
     * after 4 of them. On by default (sim-mist always did it); upstream Mist 3.10 does neither.
     */
    public SimMistBuilder catalystLoginPenalty(boolean on) { this.catalystLoginPenalty = on; return this; }
    /**
     * Catalyst's fork's trust rule: only {@code X-Real-IP} keeps a loopback request from being
     * authorised as local; {@code X-Forwarded-For} alone does not. Off by default (both headers count,
     * as on upstream Mist 3.10).
     */
    public SimMistBuilder onlyRealIpHidesPeer(boolean on) { this.onlyRealIpHidesPeer = on; return this; }
    /** How API replies lay out their JSON; {@link ReplyShape#INSERTION_ORDER} by default. */
    public SimMistBuilder replyShape(ReplyShape shape) {
        this.replyShape = Objects.requireNonNull(shape, "shape");
        return this;
    }
    /**
     * Everything the way upstream Mist 3.10 was measured (mist-api.md §8) where sim-mist's defaults
     * differ: no Catalyst login penalty, and {@link ReplyShape#MIST_3_10} replies.
     */
    public SimMistBuilder upstreamMist310() {
        return catalystLoginPenalty(MistBehaviour.UPSTREAM_3_10.catalystLoginPenalty())
                .replyShape(MistBehaviour.UPSTREAM_3_10.replyShape());
    }

    /** Binds the listeners and returns once they accept connections. */
    public SimMist start() {
        Scenario sc = scenario == null ? new Scenario(Map.of()) : Scenario.load(scenario);
        Map<String, Object> st = sc.section("streams");
        int count = streams != null ? streams : ((Number) st.getOrDefault("count", 0)).intValue();
        int each = viewers != null ? viewers : ((Number) st.getOrDefault("viewers", 0)).intValue();
        String pre = prefix != null ? prefix : String.valueOf(st.getOrDefault("prefix", "video+stream"));
        int pushes = ((Number) st.getOrDefault("pushesPerStream", 0)).intValue();
        String url = triggerUrl != null ? triggerUrl : (String) sc.get("triggerUrl");
        Duration attemptTimeout = triggerAttemptTimeout != null ? triggerAttemptTimeout
                : sc.get("triggerAttemptTimeout") != null ? Durations.parse(sc.get("triggerAttemptTimeout"))
                : Duration.ofSeconds(5);
        int attempts = triggerAttempts != null ? triggerAttempts
                : sc.get("triggerAttempts") != null ? ((Number) sc.get("triggerAttempts")).intValue() : 5;

        SimState state = new SimState();
        for (int i = 0; i < count; i++) {
            state.addStream(pre + i, each);
            for (int p = 0; p < pushes; p++) {
                state.addPush(pre + i, "rtmp://127.0.0.1/live/" + pre + i + "-" + p);
            }
        }
        Map<String, Object> scAccounts = sc.section("accounts");
        scAccounts.forEach((u, pw) -> state.addAccount(u, String.valueOf(pw)));
        accounts.forEach(state::addAccount);
        if (!noAccounts && scAccounts.isEmpty() && accounts.isEmpty()) {
            state.addAccount("test", "test");
        }
        String pass = passphrase != null ? passphrase : (String) sc.get("passphrase");
        if (pass != null) {
            state.passphrase(pass);
        }
        Faults faults = new Faults();
        sc.list("faults").forEach(f -> faults.add(FaultSpecs.fromMap(f)));
        TriggerSender triggers = new TriggerSender(url == null ? null : URI.create(url), attemptTimeout, attempts);
        MistApi sim = new MistApi(state, faults, new Recording(), triggers, behaviour(sc));
        sc.list("autoPushes").forEach(sim::addAutoPush);
        try {
            return new SimMist(sim, host, port, controlPort, ioThreads);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding", e);
        }
    }

    private MistBehaviour behaviour(Scenario sc) {
        boolean penalty = catalystLoginPenalty != null ? catalystLoginPenalty
                : sc.flag("catalystLoginPenalty", MistBehaviour.DEFAULT.catalystLoginPenalty());
        ReplyShape shape = replyShape != null ? replyShape
                : sc.choice("replyShape", ReplyShape.class, MistBehaviour.DEFAULT.replyShape());
        boolean onlyRealIp = onlyRealIpHidesPeer != null ? onlyRealIpHidesPeer
                : sc.flag("onlyRealIpHidesPeer", MistBehaviour.DEFAULT.onlyRealIpHidesPeer());
        return new MistBehaviour(penalty, shape, onlyRealIp);
    }
}
