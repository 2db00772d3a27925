package io.mistguard.proxy.config;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The route table with the breakers and admission pools its routes name. Immutable and checked
 * as a whole: names are unique, every name a route uses exists, and the last route — and only the
 * last — matches every request, so every request has exactly one route.
 *
 * @param routes in match order; the first matching route wins
 * @param breakers by name
 * @param admissions admission pools by name
 * @param cache the bounds of the last-known-good store the routes share
 */
public record PolicyConfig(List<RouteConfig> routes, Map<String, BreakerConfig> breakers,
                           Map<String, AdmissionConfig> admissions, CacheConfig cache) {

    public PolicyConfig {
        routes = List.copyOf(requireNonNull(routes, "routes"));
        breakers = unmodifiableCopy(requireNonNull(breakers, "breakers"));
        admissions = unmodifiableCopy(requireNonNull(admissions, "admissions"));
        requireNonNull(cache, "cache");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < routes.size(); i++) {
            RouteConfig route = routes.get(i);
            if (!names.add(route.name())) {
                throw new IllegalArgumentException("routes[" + i + "].name: " + route.name() + " (expected: unique)");
            }
            if (route.breaker() != null && !breakers.containsKey(route.breaker())) {
                throw new IllegalArgumentException("routes[" + i + "].breaker: " + route.breaker()
                                                   + " (expected: one of " + breakers.keySet() + " or none)");
            }
            if (route.admission() != null && !admissions.containsKey(route.admission())) {
                throw new IllegalArgumentException("routes[" + i + "].admission: " + route.admission()
                                                   + " (expected: one of " + admissions.keySet() + " or none)");
            }
            boolean last = i == routes.size() - 1;
            if (route.match().matchesAll() != last) {
                throw new IllegalArgumentException("routes[" + i + "].match: " + (last
                        ? "the last route must match every request (expected: a catch-all, match: {})"
                        : "matches every request, so the routes after it can never match (expected: last)"));
            }
        }
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("routes: [] (expected: at least a catch-all route)");
        }
    }

    /** A table whose routes share a store of the default size. */
    public PolicyConfig(List<RouteConfig> routes, Map<String, BreakerConfig> breakers,
                        Map<String, AdmissionConfig> admissions) {
        this(routes, breakers, admissions, CacheConfig.defaults());
    }

    /** Returns a copy with another store size. */
    public PolicyConfig withCache(CacheConfig cache) {
        return new PolicyConfig(routes, breakers, admissions, cache);
    }

    /** The route table for Mist as catalyst uses it; {@code deploy/mistguard.yaml} spells it out. */
    public static PolicyConfig defaults() {
        return DefaultRoutes.POLICY;
    }

    /** The built-in table with {@code requestTimeout} as the budget of routes without their own. */
    public static PolicyConfig defaults(java.time.Duration requestTimeout) {
        return DefaultRoutes.policy(requestTimeout);
    }

    /** The breaker and admission pool the built-in routes use. */
    public static final String MIST = DefaultRoutes.MIST;
    /** The retries the built-in routes are written with (two attempts; writes retry only a refused connect). */
    public static final RetryConfig SHIPPED_RETRY = DefaultRoutes.READ_RETRY;

    /**
     * The built-in routes written with other defaults: each route keeps what it sets itself (GetState's
     * 4s/2s and caller budget, the catch-all's single attempt and no breaker, …) and takes the rest
     * from these, as routes take {@code route_defaults}. Budgets of its own are capped by {@code timeout}.
     */
    public static List<RouteConfig> builtInRoutes(java.time.Duration timeout, java.time.Duration perTryTimeout,
                                                  RetryConfig retry, String breaker, String admission,
                                                  RejectionConfig rejection) {
        return DefaultRoutes.routes(timeout, perTryTimeout, retry, breaker, admission, rejection);
    }

    /** Finds a route by name. */
    public RouteConfig route(String name) {
        return routes.stream().filter(r -> r.name().equals(name)).findFirst()
                     .orElseThrow(() -> new IllegalArgumentException("no route " + name));
    }

    private static <V> Map<String, V> unmodifiableCopy(Map<String, V> map) {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
