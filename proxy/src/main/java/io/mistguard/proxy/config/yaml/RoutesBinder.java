package io.mistguard.proxy.config.yaml;

import io.mistguard.proxy.config.AdmissionConfig;
import io.mistguard.proxy.config.BreakerConfig;
import io.mistguard.proxy.config.CacheConfig;
import io.mistguard.proxy.config.Durations;
import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.Quotes;
import io.mistguard.proxy.config.ReadCaching;
import io.mistguard.proxy.config.RejectionConfig;
import io.mistguard.proxy.config.RetryConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.config.RouteKind;
import io.mistguard.proxy.config.RouteMatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The schema of {@code breakers}, {@code admissions}, {@code route_defaults} and {@code routes}.
 * Without a {@code routes} key the built-in table of {@link PolicyConfig#defaults()} applies, with
 * {@code route_defaults} merged into it when given (and its {@code mist} breaker and pool unless
 * those sections are given).
 *
 * <p>Problems are positioned like every other config problem ({@code routes[2].per_try_timeout});
 * route-level rules that involve several keys are checked here, where the route's own mapping is
 * at hand to point at.
 */
final class RoutesBinder {

    private static final String NONE = "none";

    private final Map<String, BreakerConfig> breakers;
    private final Map<String, AdmissionConfig> admissions;
    private final RouteDefaults defaults;
    private final Set<String> names = new HashSet<>();
    private boolean last;
    /** Whether route_defaults' (or request_timeout's) timeout bound cleanly, for routes that inherit it. */
    private boolean defaultTimeoutValid = true;
    private boolean defaultPerTryValid = true;

    private RoutesBinder(Map<String, BreakerConfig> breakers, Map<String, AdmissionConfig> admissions,
                         RouteDefaults defaults) {
        this.breakers = breakers;
        this.admissions = admissions;
        this.defaults = defaults;
    }

    static PolicyConfig bind(ConfigMapping root, Duration requestTimeout) {
        PolicyConfig builtIn = PolicyConfig.defaults(requestTimeout).withCache(cache(root));
        Map<String, BreakerConfig> breakers = root.value("breakers")
                .flatMap(v -> v.asMapping(m -> named(m, RoutesBinder::breaker))).orElse(builtIn.breakers());
        Map<String, AdmissionConfig> admissions = root.value("admissions")
                .flatMap(v -> v.asMapping(m -> named(m, RoutesBinder::admission))).orElse(builtIn.admissions());
        Optional<ConfigValue> defaultsValue = root.value("route_defaults");
        Optional<ConfigValue> routesValue = root.value("routes");
        if (routesValue.isEmpty()) {
            return builtInTable(root, requestTimeout, defaultsValue, breakers, admissions, builtIn);
        }
        RouteDefaults base = RouteDefaults.of(requestTimeout);
        RouteDefaults defaults = defaultsValue.flatMap(v -> v.asMapping(m -> routeDefaults(m, base, breakers,
                                                                                          admissions)))
                                              .orElse(base);
        List<ConfigValue> items = routesValue.get().asList().orElse(List.of());
        RoutesBinder binder = new RoutesBinder(breakers, admissions, defaults);
        binder.defaultTimeoutValid = root.valid("route_defaults.timeout") && root.valid("request_timeout");
        binder.defaultPerTryValid = binder.defaultTimeoutValid && root.valid("route_defaults.per_try_timeout");
        int problemsBefore = routesValue.get().problemCount();
        List<RouteConfig> routes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            binder.last = i == items.size() - 1;
            items.get(i).asMapping(binder::route).flatMap(r -> r).ifPresent(routes::add);
        }
        if (items.isEmpty()) {
            routesValue.get().problem("no routes (expected: at least a catch-all route with match: {})");
            return builtIn;
        }
        try {
            return new PolicyConfig(routes, breakers, admissions, builtIn.cache());
        } catch (IllegalArgumentException e) {
            // The table's own checks repeat the positioned ones above; report it only if they said nothing.
            if (routesValue.get().problemCount() == problemsBefore) {
                routesValue.get().problem(e.getMessage());
            }
            return builtIn;
        }
    }

    /**
     * No {@code routes} key: the built-in table, with {@code route_defaults} (if any) in place of the
     * shipped defaults for every key a built-in route does not set itself, as if
     * {@code deploy/mistguard.yaml}'s routes were written out under these defaults (a route's own
     * budget is capped by the default timeout). An operator can so change, say, every write's
     * timeout without copying the whole table.
     */
    private static PolicyConfig builtInTable(ConfigMapping root, Duration requestTimeout,
                                             Optional<ConfigValue> defaultsValue, Map<String, BreakerConfig> breakers,
                                             Map<String, AdmissionConfig> admissions, PolicyConfig builtIn) {
        RouteDefaults shipped = RouteDefaults.shipped(requestTimeout);
        RouteDefaults defaults = defaultsValue.flatMap(v -> v.asMapping(m -> routeDefaults(m, shipped, breakers,
                                                                                          admissions)))
                                              .orElse(shipped);
        // The built-in routes name the mist breaker and pool unless route_defaults names others.
        boolean missing = false;
        if (defaults.breaker() != null && !breakers.containsKey(defaults.breaker())) {
            root.problemAt("breakers", "no breaker \"" + defaults.breaker() + "\", which the built-in routes use"
                           + " (expected: define it, or set route_defaults.breaker)");
            missing = true;
        }
        if (defaults.admission() != null && !admissions.containsKey(defaults.admission())) {
            root.problemAt("admissions", "no pool \"" + defaults.admission() + "\", which the built-in routes use"
                           + " (expected: define it, or set route_defaults.admission)");
            missing = true;
        }
        if (missing) {
            return builtIn;
        }
        return new PolicyConfig(PolicyConfig.builtInRoutes(defaults.timeout(), defaults.perTryTimeout(),
                                                           defaults.retry(), defaults.breaker(), defaults.admission(),
                                                           defaults.rejection()),
                                breakers, admissions, builtIn.cache());
    }

    private Optional<RouteConfig> route(ConfigMapping m) {
        String name = m.string("name", null);
        if (name == null) {
            m.problem("name", "missing (expected: a unique route name, like get-state)");
        } else if (!names.add(name)) {
            m.problemAt("name", '"' + name + "\" is used by an earlier route (expected: a unique name)");
        }
        RouteMatch match = m.value("match").flatMap(v -> v.asMapping(RouteMatchBinder::bind)).orElse(RouteMatch.ANY);
        // A match that binds to "every request" only because its bad values were dropped is not checked
        // as a catch-all (the bad value is reported already); one whose valid keys alone rule that
        // out is still checked, so a last route's real problem shows at once.
        boolean standsInForBadValues = match.matchesAll() && !m.valid("match");
        if (match.matchesAll() != last && !standsInForBadValues) {
            m.problemAt("match", last ? "the last route must match every request (expected: match: {})"
                                      : "matches every request, so later routes never match (expected: the last route)");
        }
        Optional<RouteKind> kind = m.value("kind").flatMap(v -> v.scalar("a route kind", RouteKind.EXPECTED,
                                                                          RouteKind::parse));
        if (m.value("kind").isEmpty()) {
            m.problem("kind", "missing (expected " + RouteKind.EXPECTED + ')');
        }
        Budgets budgets = budgets(m, defaults.timeout(), defaults.perTryTimeout(), "the route's timeout",
                                  defaultTimeoutValid, defaultPerTryValid);
        Duration timeout = budgets.timeout();
        Duration perTry = budgets.perTry();
        RetryConfig retry = m.mapping("retry", r -> retry(r, defaults.retry()));
        String breaker = reference(m, "breaker", defaults.breaker(), breakers.keySet());
        String admission = reference(m, "admission", defaults.admission(), admissions.keySet());
        RejectionConfig rejection = m.mapping("rejection", r -> rejection(r, defaults.rejection()));
        Duration callerTimeout = m.duration("caller_timeout", null, false);
        if (callerTimeout != null && budgets.timeoutValid() && callerTimeout.compareTo(timeout) <= 0) {
            m.problemAt("caller_timeout", "the caller gives up after " + Durations.format(callerTimeout)
                        + ", before the route's timeout (" + Durations.format(timeout) + ") can answer it"
                        + " (expected: timeout < caller_timeout)");
        }
        ReadCaching caching = ReadCachingBinder.bind(m, kind, match);
        if (name == null || kind.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RouteConfig(name, match, kind.get(), timeout, perTry, retry, breaker, admission,
                                               rejection, callerTimeout, caching));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // already reported at its key above
        }
    }

    private static RouteDefaults routeDefaults(ConfigMapping m, RouteDefaults base, Map<String, BreakerConfig> breakers,
                                               Map<String, AdmissionConfig> admissions) {
        Budgets budgets = budgets(m, base.timeout(), base.perTryTimeout(), "timeout", true, true);
        Duration timeout = budgets.timeout();
        Duration perTry = budgets.perTry();
        RetryConfig retry = m.mapping("retry", r -> retry(r, base.retry()));
        String breaker = reference(m, "breaker", base.breaker(), breakers.keySet());
        String admission = reference(m, "admission", base.admission(), admissions.keySet());
        RejectionConfig rejection = m.mapping("rejection", r -> rejection(r, base.rejection()));
        return new RouteDefaults(timeout, min(perTry, timeout), retry, breaker, admission, rejection);
    }

    private static String reference(ConfigMapping m, String key, String fallback, Set<String> known) {
        String name = m.string(key, fallback == null ? NONE : fallback);
        if (name.equals(NONE)) {
            return null;
        }
        if (!known.contains(name)) {
            m.problemAt(key, '"' + name + "\" is not defined (expected: one of " + String.join(", ", known)
                        + ", or none)");
            return null;
        }
        return name;
    }

    private static CacheConfig cache(ConfigMapping root) {
        CacheConfig d = CacheConfig.defaults();
        return root.mapping("cache", m -> new CacheConfig(m.byteSize("max_bytes", d.maxBytes(), 1, Long.MAX_VALUE),
                                                         m.integer("max_entries", d.maxEntries(), 1,
                                                                   Integer.MAX_VALUE)));
    }

    private static RetryConfig retry(ConfigMapping m, RetryConfig d) {
        int attempts = m.integer("attempts", d.attempts(), 1, RetryConfig.MAX_ATTEMPTS);
        Duration base = m.duration("backoff_base", d.backoffBase(), false);
        Duration maxAsSet = m.duration("backoff_max", d.backoffMax(), false);
        if (maxAsSet.compareTo(base) < 0) {
            // As invalidations.* and triggers.delivery.* already did; found by review that routes did not.
            // Of a route's own and its defaults' values, the one this mapping sets is the one to change.
            m.problemAt(m.value("backoff_max").isPresent() ? "backoff_max" : "backoff_base",
                        "backoff_max " + Durations.format(maxAsSet) + " is shorter than backoff_base "
                        + Durations.format(base) + " (expected: backoff_max >= backoff_base)");
        }
        Duration max = maxAsSet.compareTo(base) < 0 ? base : maxAsSet; // stands in so that binding goes on
        RetryConfig budget = m.mapping("budget", b -> new RetryConfig(1, base, max,
                b.value("ratio").flatMap(v -> v.scalar("a ratio", "a number from 0 to 1", RoutesBinder::ratio))
                 .orElse(d.budgetRatio()),
                b.integer("min_retries", d.budgetMinRetries(), 0, Integer.MAX_VALUE),
                b.duration("window", d.budgetWindow(), false)));
        return new RetryConfig(attempts, base, max, budget.budgetRatio(), budget.budgetMinRetries(),
                               budget.budgetWindow());
    }

    private static RejectionConfig rejection(ConfigMapping m, RejectionConfig d) {
        int status = m.integer("status", d.status(), 400, 599);
        Duration retryAfter = m.value("retry_after").flatMap(v -> v.asDuration(true).filter(r -> {
            if (r.compareTo(RejectionConfig.MAX_RETRY_AFTER) <= 0) {
                return true;
            }
            v.problem(Durations.format(r) + " is too long: catalyst-api sleeps for it, uncapped (expected: 0s or 1s)");
            return false;
        })).orElse(d.retryAfter());
        return new RejectionConfig(status, retryAfter);
    }

    /** Also binds {@code triggers.breaker} ({@link TriggersBinder}): one breaker schema. */
    static BreakerConfig breaker(ConfigMapping m) {
        BreakerConfig d = BreakerConfig.defaults();
        int rate = m.integer("failure_rate", d.failureRate(), 1, 100);
        int calls = m.integer("window_calls", 0, 1, Integer.MAX_VALUE);
        Duration time = m.duration("window_time", null, false);
        if (calls > 0 && time != null) {
            m.problemAt("window_calls", "both window_calls and window_time are set (expected: one of them)");
            time = null;
        } else if (calls == 0 && time == null) {
            time = d.windowTime();
        }
        int minimumCalls = m.integer("minimum_calls", calls > 0 ? calls : d.minimumCalls(), 1, Integer.MAX_VALUE);
        if (calls > 0 && minimumCalls != calls) {
            m.problemAt("minimum_calls", minimumCalls + " differs from window_calls: a count window has no minimum "
                        + "of its own (expected: leave it out, or " + calls + ')');
            minimumCalls = calls;
        }
        Duration open = m.duration("open_duration", d.openDuration(), false);
        int trials = m.integer("half_open_trials", d.halfOpenTrials(), 1, Integer.MAX_VALUE);
        return new BreakerConfig(rate, calls, time, minimumCalls, open, trials);
    }

    private static AdmissionConfig admission(ConfigMapping m) {
        AdmissionConfig d = AdmissionConfig.defaults();
        return new AdmissionConfig(m.integer("max_concurrent", d.maxConcurrent(), 1, Integer.MAX_VALUE),
                                   m.integer("max_queue", d.maxQueue(), 0, Integer.MAX_VALUE),
                                   m.duration("queue_timeout", d.queueTimeout(), false));
    }

    private static <T> Map<String, T> named(ConfigMapping m, java.util.function.Function<ConfigMapping, T> binder) {
        Map<String, T> result = new LinkedHashMap<>();
        for (String name : List.copyOf(m.keys())) {
            if (name.equals(NONE)) {
                m.problemAt(name, "\"none\" is reserved for \"no breaker\" (expected: another name)");
            }
            m.value(name).flatMap(v -> v.asMapping(binder)).ifPresent(t -> result.put(name, t));
        }
        return result;
    }

    private static double ratio(String text) {
        double value;
        try {
            value = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(Quotes.quote(text) + " is not a number (expected: from 0 to 1, like 0.2)");
        }
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(Quotes.quote(text) + " is out of range (expected: from 0 to 1)");
        }
        return value;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * A route's (or the defaults') total and per-try budgets; per-try defaults to at most the total.
     * {@code timeoutValid}: the total is one the operator wrote (or a default) without a problem, so
     * a rule may compare other keys with it.
     */
    private record Budgets(Duration timeout, Duration perTry, boolean timeoutValid) {}

    /**
     * Reads {@code timeout} and {@code per_try_timeout}, reporting a per-try budget that could never
     * fire. An inherited value counts as valid when it was valid where it was written
     * ({@code inheritedTimeoutValid}, {@code inheritedPerTryValid}).
     */
    private static Budgets budgets(ConfigMapping m, Duration defaultTimeout, Duration defaultPerTry, String totalName,
                                   boolean inheritedTimeoutValid, boolean inheritedPerTryValid) {
        Duration timeout = m.duration("timeout", defaultTimeout, false);
        Duration perTry = m.duration("per_try_timeout", min(defaultPerTry, timeout), false);
        boolean timeoutValid = m.has("timeout") ? m.valid("timeout") : inheritedTimeoutValid;
        boolean perTryValid = m.has("per_try_timeout") ? m.valid("per_try_timeout") : inheritedPerTryValid;
        if (timeoutValid && perTryValid && perTry.compareTo(timeout) > 0) {
            m.problemAt("per_try_timeout", Durations.format(perTry) + " is longer than " + totalName + " ("
                        + Durations.format(timeout) + "), so it could never fire (expected: <= timeout)");
        }
        return new Budgets(timeout, perTry, timeoutValid);
    }
}
