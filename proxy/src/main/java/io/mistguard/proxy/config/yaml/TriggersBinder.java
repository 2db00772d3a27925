package io.mistguard.proxy.config.yaml;

import io.mistguard.proxy.config.AdmissionConfig;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.TriggerDeliveryConfig;
import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import io.mistguard.proxy.config.TriggersConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Binds the {@code triggers:} section to a {@link TriggersConfig}: the listener, catalyst-api's
 * address, the shared admission pool and breaker, the delivery queue, and a policy per trigger name
 * merged key by key over its built-in policy (or over {@code default} for names without one).
 * Reports every bad value at its position, every key that cannot apply, and a {@code blocking: false}
 * on a trigger Mist waits for; {@link #check} compares the section with the rest of the file.
 *
 * <p>Stateless; its own class so that {@link ProxyConfigBinder} gains one line for the section.
 */
final class TriggersBinder {

    private TriggersBinder() {}

    /** Binds a present {@code triggers:} section; its presence turns the listener on. */
    static TriggersConfig bind(ConfigMapping m) {
        TriggersConfig d = TriggersConfig.defaults();
        var listen = m.hostPort("listen", TriggersConfig.DEFAULT_LISTEN);
        TriggersConfig.Upstream upstream = m.value("upstream")
                .flatMap(v -> v.scalar("a URL", TriggersConfig.Upstream.EXPECTED, TriggersConfig.Upstream::parse))
                .orElse(d.upstream());
        Duration connect = m.duration("connect_timeout", d.connectTimeout(), false);
        long maxRequest = m.byteSize("max_request_bytes", d.maxRequestBytes(), 1, TriggersConfig.MAX_BYTES_LIMIT);
        long maxResponse = m.byteSize("max_response_bytes", d.maxResponseBytes(), 1, TriggersConfig.MAX_BYTES_LIMIT);
        AdmissionConfig admission = m.mapping("admission", a -> admission(a, d.admission()));
        var breaker = m.mapping("breaker", RoutesBinder::breaker);
        int lastKnown = m.integer("last_known_max_entries", d.lastKnownMaxEntries(), 1, Integer.MAX_VALUE);
        long lastKnownBytes = m.byteSize("last_known_max_bytes", d.lastKnownMaxBytes(), 1, Long.MAX_VALUE);
        TriggerDeliveryConfig delivery = m.mapping("delivery", TriggersBinder::delivery);
        TriggerPolicy defaultPolicy = m.mapping("default", p -> policy(p, null, d.defaultPolicy()));
        Map<String, TriggerPolicy> policies = new LinkedHashMap<>(d.policies());
        m.value("policies").flatMap(v -> v.asMapping(named -> {
            for (String name : List.copyOf(named.keys())) {
                String badName = TriggersConfig.nameProblem(name);
                if (badName != null) {
                    named.problemAtKey(name, badName);
                    continue;
                }
                TriggerPolicy builtIn = TriggersConfig.builtInPolicy(name);
                policies.put(name, named.mapping(name, p -> policy(p, name, builtIn != null ? builtIn : defaultPolicy)));
            }
            return policies;
        }));
        lastKnownBytes = storeHoldsOne(m, "last_known_max_bytes", lastKnownBytes, "max_response_bytes",
                Math.min(maxResponse, d.maxResponseBytes()),
                "a 200 answer that large is never stored, and with a smaller one every last-known fallback "
                + "silently answers its otherwise",
                policies.values().stream().anyMatch(p -> p.fallback() == TriggerFallback.LAST_KNOWN)
                        || defaultPolicy.fallback() == TriggerFallback.LAST_KNOWN);
        long pendingBytes = storeHoldsOne(m, "delivery.max_pending_bytes", delivery.maxPendingBytes(),
                "max_request_bytes", Math.min(maxRequest, d.maxRequestBytes()), "a non-blocking trigger that large is refused 503 "
                + "trigger-queue-full even with the queue empty",
                policies.values().stream().anyMatch(p -> !p.blocking()) || !defaultPolicy.blocking());
        if (pendingBytes != delivery.maxPendingBytes()) {
            delivery = new TriggerDeliveryConfig(delivery.maxPending(), pendingBytes, delivery.maxConcurrent(),
                    delivery.timeout(), delivery.maxAttempts(), delivery.initialBackoff(), delivery.maxBackoff());
        }
        try {
            return new TriggersConfig(listen, upstream, connect, maxRequest, maxResponse, admission, breaker, lastKnown,
                                      lastKnownBytes, delivery, defaultPolicy, policies);
        } catch (IllegalArgumentException e) {
            // Every rule of the records is checked above first, at its own key; this only keeps a rule
            // added to a record later from escaping as a crash instead of a positioned problem.
            m.problemHere(e.getMessage());
            return d.withListen(listen);
        }
    }

    /**
     * Room a store counts for one item beyond its body: its key or request line and headers, its
     * content type, and a fixed 128 bytes (the stores' own weights: {@code LastKnownAnswers},
     * {@code PendingTrigger}; a Mist trigger's head and a key of a few payload lines fit in it).
     * Found by review: a store equal to the largest body still held nothing, since every item also
     * carries these.
     */
    static final long ITEM_BOOKKEEPING_BYTES = 1024;

    /**
     * {@code bytes}, the bound of a store, when it can hold one item of the largest size the listener
     * accepts, up to that limit's default ({@code largest}, from {@code largestKey}: catalyst-api's
     * answers and Mist's payloads are a few lines, so raising the limit must not force the store onto
     * the heap with it), with {@link #ITEM_BOOKKEEPING_BYTES} for its bookkeeping; else a problem at
     * {@code key} (when it is not written, at the nearest key that is), and that size, which stands in
     * so that binding goes on. Found by review: a store smaller than that loaded and then never held
     * the items it exists for. Not checked when no policy uses the store ({@code used} false).
     */
    private static long storeHoldsOne(ConfigMapping m, String key, long bytes, String largestKey, long largest,
                                      String consequence, boolean used) {
        long needed = largest + ITEM_BOOKKEEPING_BYTES;
        if (!used || bytes >= needed || !m.valid(key) || !m.valid(largestKey)) {
            return bytes;
        }
        m.problemAt(key, ByteSizes.format(bytes) + " cannot hold one item of " + largestKey
                    + " (" + ByteSizes.format(largest) + ", or its default if smaller) with its "
                    + ByteSizes.format(ITEM_BOOKKEEPING_BYTES) + " of key, headers and bookkeeping: " + consequence
                    + " (expected: at least " + ByteSizes.format(needed) + ")");
        return needed;
    }

    /**
     * The checks of the {@code triggers:} section against the rest of the file, after binding, but
     * for its addresses ({@link AddressChecks}): its breaker's name must not be taken by a route's.
     */
    static void check(ProxyConfig config, ConfigMapping root) {
        TriggersConfig t = config.triggers();
        if (!t.enabled()) {
            return;
        }
        if (config.policy().breakers().containsKey(TriggersConfig.BREAKER_NAME)) {
            root.problemAt("breakers." + TriggersConfig.BREAKER_NAME, "the name is the trigger listener's breaker on "
                           + "catalyst-api, which /admin/breakers lists and forces by it (expected: another name)");
        }
    }

    private static AdmissionConfig admission(ConfigMapping m, AdmissionConfig d) {
        return new AdmissionConfig(m.integer("max_concurrent", d.maxConcurrent(), 1, Integer.MAX_VALUE),
                                   m.integer("max_queue", d.maxQueue(), 0, Integer.MAX_VALUE),
                                   m.duration("queue_timeout", d.queueTimeout(), false));
    }

    private static TriggerDeliveryConfig delivery(ConfigMapping m) {
        TriggerDeliveryConfig d = TriggerDeliveryConfig.defaults();
        int maxPending = m.integer("max_pending", d.maxPending(), 1, Integer.MAX_VALUE);
        long maxBytes = m.byteSize("max_pending_bytes", d.maxPendingBytes(), 1, Long.MAX_VALUE);
        int maxConcurrent = m.integer("max_concurrent", d.maxConcurrent(), 1, Integer.MAX_VALUE);
        Duration timeout = m.duration("timeout", d.timeout(), false);
        int attempts = m.integer("max_attempts", d.maxAttempts(), 1, TriggerDeliveryConfig.MAX_ATTEMPTS_LIMIT);
        Duration initial = m.duration("initial_backoff", d.initialBackoff(), false);
        Duration max = m.duration("max_backoff", d.maxBackoff(), false);
        if (max.compareTo(initial) < 0) {
            m.problemAt("max_backoff", io.mistguard.proxy.config.Durations.format(max) + " is shorter than "
                        + "initial_backoff (expected: >= initial_backoff)");
            max = initial;
        }
        return new TriggerDeliveryConfig(maxPending, maxBytes, maxConcurrent, timeout, attempts, initial, max);
    }

    /** Keys that mean something only for a blocking trigger. */
    private static final List<String> BLOCKING_ONLY = List.of("timeout", "fallback", "otherwise", "max_age", "key_lines");
    /** Keys that mean something only with {@code fallback: last-known}. */
    private static final List<String> LAST_KNOWN_ONLY = List.of("otherwise", "max_age", "key_lines");

    /**
     * One policy, each key over {@code base}; {@code name} is null for {@code default}. Refuses, each
     * at its key: {@code blocking: false} for a trigger Mist waits for; a key that cannot apply
     * (anything but {@code blocking} on a non-blocking trigger, which is answered at once and
     * delivered by {@code triggers.delivery}; {@code otherwise}, {@code max_age} or {@code key_lines}
     * without {@code last-known}); {@code allow} or {@code deny} for a string-valued trigger; and a
     * {@code key_lines} index past the trigger's payload.
     */
    private static TriggerPolicy policy(ConfigMapping m, String name, TriggerPolicy base) {
        boolean blocking = m.bool("blocking", base.blocking());
        if (!blocking && name != null && TriggersConfig.BLOCKING.contains(name)) {
            m.problemAt("blocking", "false, but Mist waits for " + name + "'s answer (expected: true)");
            blocking = true;
        }
        Duration timeout = m.duration("timeout", base.timeout(), false);
        TriggerFallback fallback = fallback(m, "fallback").orElse(base.fallback());
        if (name != null && m.has("fallback") && m.valid("fallback")) {
            String problem = TriggersConfig.fallbackProblem(name, fallback);
            if (problem != null) {
                m.problemAt("fallback", problem);
                fallback = base.fallback();
            }
        }
        TriggerFallback otherwise = fallback(m, "otherwise").orElse(base.otherwise());
        if (otherwise == TriggerFallback.LAST_KNOWN) {
            m.problemAt("otherwise", "last-known is what otherwise stands in for (expected: allow, deny or empty)");
            otherwise = base.otherwise();
        } else if (name != null && m.has("otherwise") && m.valid("otherwise")) {
            String problem = TriggersConfig.fallbackProblem(name, otherwise);
            if (problem != null) {
                m.problemAt("otherwise", problem);
                otherwise = base.otherwise();
            }
        }
        if (fallback == TriggerFallback.LAST_KNOWN && TriggersConfig.fallbackProblem(name, otherwise) != null) {
            otherwise = TriggerFallback.EMPTY; // a default policy's allow inherited by a string-valued name
        }
        Duration maxAge = m.duration("max_age", base.maxAge(), false);
        List<Integer> keyLines = m.value("key_lines").flatMap(ConfigValue::asList)
                .map(items -> items.stream().map(v -> v.asInt(0, TriggerPolicy.MAX_KEY_LINE).filter(line -> {
                    String problem = name == null ? null : TriggersConfig.keyLineProblem(name, line);
                    if (problem != null) {
                        v.problem(problem);
                    }
                    return problem == null;
                })).flatMap(Optional::stream).toList())
                .orElse(base.keyLines());
        if (!blocking) {
            notApplying(m, BLOCKING_ONLY, "applies to blocking triggers only; a non-blocking one is answered 200 at "
                        + "once and delivered as triggers.delivery says (expected: no such key, or blocking: true)");
        } else if (fallback != TriggerFallback.LAST_KNOWN && m.valid("fallback")) {
            notApplying(m, LAST_KNOWN_ONLY, "applies only with fallback: last-known, and this fallback is "
                        + fallback.configName() + " (expected: no such key, or fallback: last-known)");
        }
        return new TriggerPolicy(blocking, timeout, fallback, otherwise, maxAge, keyLines);
    }

    private static void notApplying(ConfigMapping m, List<String> keys, String message) {
        for (String key : keys) {
            if (m.has(key) && m.valid(key)) {
                m.problemAt(key, message);
            }
        }
    }

    private static Optional<TriggerFallback> fallback(ConfigMapping m, String key) {
        return m.value(key).flatMap(v -> v.scalar("a fallback", TriggerFallback.EXPECTED, TriggerFallback::parse));
    }
}
