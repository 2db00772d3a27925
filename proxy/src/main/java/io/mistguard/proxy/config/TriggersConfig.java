package io.mistguard.proxy.config;

import static io.mistguard.proxy.config.Quotes.quote;
import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code triggers:} section: the second listener, which Mist's trigger URLs point at and which
 * forwards to catalyst-api's {@code /api/mist/trigger} with a policy per trigger name (design.md,
 * "The trigger direction"; mist-api.md §5). Immutable.
 *
 * <p>Mist waits {@link #MIST_ATTEMPT 5 s} per attempt, up to 5 attempts, then uses the trigger's
 * default answer, {@code true} when none is configured (mist-api.md §5): a slow catalyst-api makes
 * each viewer wait about 25 s and lets every one in. This listener answers within each trigger's
 * {@code timeout} instead, with catalyst-api's answer or the trigger's fallback.
 *
 * @param listen           where Mist's trigger requests arrive; {@code null} = no trigger listener (the
 *                         default: the section is absent)
 * @param upstream         catalyst-api's trigger endpoint; host and port are connected to
 * @param connectTimeout   the longest a TCP connect to catalyst-api may take (a trigger's timeout may
 *                         end it sooner)
 * @param maxRequestBytes  the largest trigger body accepted from Mist; larger gets 413
 * @param maxResponseBytes the largest answer accepted from catalyst-api; larger is a failure
 * @param admission        calls at catalyst-api at once, and how many may wait for a slot
 * @param breaker          the circuit breaker on catalyst-api: timeouts, connection failures, malformed
 *                         answers and 5xx count as failures
 * @param lastKnownMaxEntries the most stored answers kept for {@code last-known} fallbacks (least
 *                         recently stored dropped first)
 * @param lastKnownMaxBytes the most bytes those answers and their keys take together
 * @param delivery         the queue of non-blocking triggers
 * @param defaultPolicy    the policy of a trigger name not in {@code policies}
 * @param policies         the policy per trigger name ({@code X-Trigger}), built-in defaults included
 */
public record TriggersConfig(HostPort listen, Upstream upstream, Duration connectTimeout, long maxRequestBytes,
                             long maxResponseBytes, AdmissionConfig admission, BreakerConfig breaker,
                             int lastKnownMaxEntries, long lastKnownMaxBytes, TriggerDeliveryConfig delivery,
                             TriggerPolicy defaultPolicy, Map<String, TriggerPolicy> policies) {

    /** Mist's per-attempt wait for a trigger answer (mist-api.md §5); every timeout should be below it. */
    public static final Duration MIST_ATTEMPT = Duration.ofSeconds(5);
    /**
     * The name of the trigger listener's breaker (and admission pool) on catalyst-api, in
     * {@code /admin/breakers}, its force actions and the metrics; no route-table breaker may take it.
     */
    public static final String BREAKER_NAME = "catalyst-api";
    /** Where the listener binds when {@code triggers:} is present without {@code listen}. */
    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 4245);
    /** Triggers Mist waits for (mist-api.md §5); they can never be delivered later. */
    public static final Set<String> BLOCKING = Set.of("USER_NEW", "PUSH_REWRITE", "STREAM_SOURCE", "PUSH_OUT_START");
    /**
     * Blocking triggers whose answer is a string, not a boolean (mist-api.md §5): {@code STREAM_SOURCE}
     * a source URL, {@code PUSH_REWRITE} a stream name, {@code PUSH_OUT_START} a target URL. An
     * {@code allow} or {@code deny} fallback would hand Mist the literal {@code true} or {@code false}
     * as that URL or name, so they take {@code empty} or {@code last-known} only.
     */
    public static final Set<String> STRING_VALUED = Set.of("STREAM_SOURCE", "PUSH_REWRITE", "PUSH_OUT_START");
    /**
     * The most payload lines each blocking trigger carries (mist-api.md §5 and Mist's trigger list):
     * {@code USER_NEW} 6, and a 7th ({@code lastUrl}) when re-triggered by {@code invalidate_sessions};
     * {@code STREAM_SOURCE} the stream name; {@code PUSH_REWRITE} target URL, client host, stream name;
     * {@code PUSH_OUT_START} stream name, target URL. A {@code key_lines} index at or past this is
     * never in the payload.
     */
    public static final Map<String, Integer> PAYLOAD_LINES = Map.of("USER_NEW", 7, "STREAM_SOURCE", 1,
                                                                    "PUSH_REWRITE", 3, "PUSH_OUT_START", 2);
    /** What a trigger name ({@code X-Trigger}) looks like; Mist's are all capitals and underscores. */
    public static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*");
    /** For "(expected: …)" texts about a policy's name. */
    public static final String NAME_EXPECTED = "a Mist trigger name in capitals, like USER_NEW";
    /** Payload bodies are a few short lines; anything near this is not a trigger. */
    public static final long MAX_BYTES_LIMIT = 16L << 20;

    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final Duration TEN_MINUTES = Duration.ofMinutes(10);
    private static final Map<String, TriggerPolicy> BUILT_IN = builtIn();
    private static final TriggersConfig DEFAULTS = new TriggersConfig(null, Upstream.CATALYST,
            Duration.ofMillis(500), 64L << 10, 64L << 10, new AdmissionConfig(32, 1000, SECOND),
            BreakerConfig.defaults(), 10_000, 4L << 20, TriggerDeliveryConfig.defaults(),
            TriggerPolicy.fixed(true, Duration.ofSeconds(4), TriggerFallback.ALLOW), BUILT_IN);

    public TriggersConfig {
        requireNonNull(upstream, "upstream");
        Require.positive(connectTimeout, "connectTimeout");
        Require.inRange(maxRequestBytes, 1, MAX_BYTES_LIMIT, "maxRequestBytes");
        Require.inRange(maxResponseBytes, 1, MAX_BYTES_LIMIT, "maxResponseBytes");
        requireNonNull(admission, "admission");
        requireNonNull(breaker, "breaker");
        Require.inRange(lastKnownMaxEntries, 1, Integer.MAX_VALUE, "lastKnownMaxEntries");
        Require.inRange(lastKnownMaxBytes, 1, Long.MAX_VALUE, "lastKnownMaxBytes");
        requireNonNull(delivery, "delivery");
        requireNonNull(defaultPolicy, "defaultPolicy");
        policies = Map.copyOf(new LinkedHashMap<>(requireNonNull(policies, "policies")));
        policies.forEach((name, policy) -> {
            requireNonNull(policy, "policies." + name);
            String problem = nameProblem(name);
            if (problem == null && !policy.blocking() && BLOCKING.contains(name)) {
                problem = "blocking: false (expected: true; Mist waits for " + name + "'s answer)";
            }
            if (problem == null) {
                problem = fallbackProblem(name, policy.fallback());
            }
            if (problem == null && policy.fallback() == TriggerFallback.LAST_KNOWN) {
                problem = fallbackProblem(name, policy.otherwise());
            }
            for (int i = 0; problem == null && i < policy.keyLines().size(); i++) {
                problem = keyLineProblem(name, policy.keyLines().get(i));
            }
            if (problem != null) {
                throw new IllegalArgumentException("policies." + quote(name) + ": " + problem);
            }
        });
    }

    /**
     * What is wrong with {@code name} as a policy's trigger name, or {@code null}: it must be what
     * Mist sends in {@code X-Trigger} (an empty or lower-case name would never match, and {@code *}
     * is how views label the default policy).
     */
    public static String nameProblem(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return quote(String.valueOf(name)) + " is not a trigger name (expected: " + NAME_EXPECTED + ')';
        }
        return null;
    }

    /**
     * What is wrong with answering {@code fallback} (a {@code fallback:} or {@code otherwise:}) for
     * trigger {@code name}, or {@code null}: a string-valued trigger would take {@code true} or
     * {@code false} literally, as a URL or a stream name.
     */
    public static String fallbackProblem(String name, TriggerFallback fallback) {
        if (name != null && STRING_VALUED.contains(name) && (fallback == TriggerFallback.ALLOW || fallback == TriggerFallback.DENY)) {
            return fallback.configName() + " answers the literal \"" + fallback.body() + "\", which Mist would use as "
                   + name + "'s " + (name.equals("PUSH_REWRITE") ? "stream name" : "URL")
                   + " (expected: empty or last-known)";
        }
        return null;
    }

    /**
     * What is wrong with payload line {@code line} (0-based) in trigger {@code name}'s
     * {@code key_lines}, or {@code null}: past the trigger's {@link #PAYLOAD_LINES}, it is never there.
     */
    public static String keyLineProblem(String name, int line) {
        Integer lines = name == null ? null : PAYLOAD_LINES.get(name);
        if (lines != null && line >= lines) {
            return line + " is past " + name + "'s payload, which has " + payloadText(name, lines)
                   + ", so the key would never be there (expected: 0 to " + (lines - 1) + ')';
        }
        return null;
    }

    private static String payloadText(String name, int lines) {
        return name.equals("USER_NEW") ? "6 lines (7 when re-triggered by invalidate_sessions)"
                : lines + (lines == 1 ? " line" : " lines");
    }

    /**
     * The built-in policy of each trigger Mist sends catalyst-api (mist-api.md §5). Boolean and
     * string answers keep catalyst-api's last answer for 10 minutes; without one, {@code USER_NEW}
     * is allowed (what Mist does itself after 25 s, since catalyst-api configures no default),
     * {@code STREAM_SOURCE} keeps the configured source, and a push is refused (Mist would otherwise
     * use the literal string {@code true} as a stream name or target).
     */
    private static Map<String, TriggerPolicy> builtIn() {
        Map<String, TriggerPolicy> m = new LinkedHashMap<>();
        m.put("USER_NEW", new TriggerPolicy(true, SECOND, TriggerFallback.LAST_KNOWN, TriggerFallback.ALLOW,
                                            TEN_MINUTES, List.of(0, 5)));
        m.put("STREAM_SOURCE", new TriggerPolicy(true, SECOND, TriggerFallback.LAST_KNOWN, TriggerFallback.EMPTY,
                                                 TEN_MINUTES, List.of(0)));
        m.put("PUSH_REWRITE", new TriggerPolicy(true, SECOND, TriggerFallback.LAST_KNOWN, TriggerFallback.EMPTY,
                                                TEN_MINUTES, List.of(0, 2)));
        m.put("PUSH_OUT_START", new TriggerPolicy(true, SECOND, TriggerFallback.LAST_KNOWN, TriggerFallback.EMPTY,
                                                  TEN_MINUTES, List.of()));
        for (String async : List.of("PUSH_END", "STREAM_BUFFER", "LIVE_TRACK_LIST", "USER_END")) {
            m.put(async, TriggerPolicy.fixed(false, SECOND, TriggerFallback.ALLOW));
        }
        return m;
    }

    /** No listener, and the defaults of every key for when one is configured. */
    public static TriggersConfig defaults() {
        return DEFAULTS;
    }

    /** The built-in policy of {@code name}, or {@code null} for a name without one. */
    public static TriggerPolicy builtInPolicy(String name) {
        return BUILT_IN.get(name);
    }

    /** Whether a trigger listener is configured. */
    public boolean enabled() {
        return listen != null;
    }

    /** The policy for a trigger name, the default one for names without their own. */
    public TriggerPolicy policy(String name) {
        TriggerPolicy p = name == null ? null : policies.get(name);
        return p == null ? defaultPolicy : p;
    }

    /** Returns a copy listening on {@code listen} ({@code null}: off). */
    public TriggersConfig withListen(HostPort listen) {
        return new TriggersConfig(listen, upstream, connectTimeout, maxRequestBytes, maxResponseBytes, admission,
                                  breaker, lastKnownMaxEntries, lastKnownMaxBytes, delivery, defaultPolicy, policies);
    }

    /** Returns a copy forwarding to {@code upstream}. */
    public TriggersConfig withUpstream(Upstream upstream) {
        return new TriggersConfig(listen, upstream, connectTimeout, maxRequestBytes, maxResponseBytes, admission,
                                  breaker, lastKnownMaxEntries, lastKnownMaxBytes, delivery, defaultPolicy, policies);
    }

    /** Returns a copy in which {@code name} has {@code policy}. */
    public TriggersConfig withPolicy(String name, TriggerPolicy policy) {
        Map<String, TriggerPolicy> all = new LinkedHashMap<>(policies);
        all.put(name, policy);
        return new TriggersConfig(listen, upstream, connectTimeout, maxRequestBytes, maxResponseBytes, admission,
                                  breaker, lastKnownMaxEntries, lastKnownMaxBytes, delivery, defaultPolicy, all);
    }

    /** Returns a copy with another delivery section. */
    public TriggersConfig withDelivery(TriggerDeliveryConfig delivery) {
        return new TriggersConfig(listen, upstream, connectTimeout, maxRequestBytes, maxResponseBytes, admission,
                                  breaker, lastKnownMaxEntries, lastKnownMaxBytes, delivery, defaultPolicy, policies);
    }

    /** Returns a copy with another breaker and admission pool. */
    public TriggersConfig withPolicing(BreakerConfig breaker, AdmissionConfig admission) {
        return new TriggersConfig(listen, upstream, connectTimeout, maxRequestBytes, maxResponseBytes, admission,
                                  breaker, lastKnownMaxEntries, lastKnownMaxBytes, delivery, defaultPolicy, policies);
    }

    /**
     * catalyst-api's trigger endpoint, {@code http://host[:port]/path}. mistguard connects to host and
     * port; the request target Mist used (path and query) is forwarded unchanged, so Mist's trigger
     * URLs keep this path and change only host and port. Immutable.
     */
    public record Upstream(String host, int port, String path) {

        public static final String EXPECTED = "http://host[:port]/path, like http://127.0.0.1:7979/api/mist/trigger";
        /** catalyst-api's internal trigger endpoint (mist-api.md §5, §7). */
        public static final Upstream CATALYST = new Upstream("127.0.0.1", 7979, "/api/mist/trigger");

        public Upstream {
            Require.notEmpty(host, "host");
            Require.inRange(port, 1, 65535, "port");
            requireNonNull(path, "path");
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("path: " + quote(path) + " (expected: starting with /)");
            }
        }

        /** Parses {@code http://host[:port][/path]}; the port defaults to 80, the path to {@code /}. */
        public static Upstream parse(String url) {
            int sep = url.indexOf("://");
            if (sep < 0 || !url.substring(0, sep).equalsIgnoreCase("http")) {
                throw new IllegalArgumentException(quote(url) + " is not a plain http URL (expected: " + EXPECTED + ')');
            }
            String rest = url.substring(sep + 3);
            int slash = rest.indexOf('/');
            String authority = slash < 0 ? rest : rest.substring(0, slash);
            String path = slash < 0 ? "/" : rest.substring(slash);
            if (authority.indexOf('@') >= 0 || path.indexOf('?') >= 0 || path.indexOf('#') >= 0) {
                throw new IllegalArgumentException(quote(url) + " has user info, a query or a fragment (expected: "
                                                   + EXPECTED + ')');
            }
            HostPort hp = HostPortSyntax.parse(authority, url, 80, 1);
            return new Upstream(hp.host(), hp.port(), path);
        }

        public HostPort address() {
            return new HostPort(host, port);
        }

        @Override
        public String toString() {
            return "http://" + address() + path;
        }
    }
}
