package io.mistguard.proxy.config.yaml;

import io.mistguard.proxy.config.AdmissionConfig;
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
 * Reports every bad value at its position, and a {@code blocking: false} on a trigger Mist waits for.
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
                TriggerPolicy builtIn = TriggersConfig.builtInPolicy(name);
                policies.put(name, named.mapping(name, p -> policy(p, name, builtIn != null ? builtIn : defaultPolicy)));
            }
            return policies;
        }));
        return new TriggersConfig(listen, upstream, connect, maxRequest, maxResponse, admission, breaker, lastKnown,
                                  lastKnownBytes, delivery, defaultPolicy, policies);
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

    /** One policy, each key over {@code base}; {@code name} is null for {@code default}. */
    private static TriggerPolicy policy(ConfigMapping m, String name, TriggerPolicy base) {
        boolean blocking = m.bool("blocking", base.blocking());
        if (!blocking && name != null && TriggersConfig.BLOCKING.contains(name)) {
            m.problemAt("blocking", "false, but Mist waits for " + name + "'s answer (expected: true)");
            blocking = true;
        }
        Duration timeout = m.duration("timeout", base.timeout(), false);
        TriggerFallback fallback = fallback(m, "fallback").orElse(base.fallback());
        TriggerFallback otherwise = fallback(m, "otherwise").orElse(base.otherwise());
        if (otherwise == TriggerFallback.LAST_KNOWN) {
            m.problemAt("otherwise", "last-known is what otherwise stands in for (expected: allow, deny or empty)");
            otherwise = base.otherwise();
        }
        Duration maxAge = m.duration("max_age", base.maxAge(), false);
        List<Integer> keyLines = m.value("key_lines").flatMap(ConfigValue::asList)
                .map(items -> items.stream().map(v -> v.asInt(0, TriggerPolicy.MAX_KEY_LINE))
                                   .flatMap(Optional::stream).toList())
                .orElse(base.keyLines());
        return new TriggerPolicy(blocking, timeout, fallback, otherwise, maxAge, keyLines);
    }

    private static Optional<TriggerFallback> fallback(ConfigMapping m, String key) {
        return m.value(key).flatMap(v -> v.scalar("a fallback", TriggerFallback.EXPECTED, TriggerFallback::parse));
    }
}
