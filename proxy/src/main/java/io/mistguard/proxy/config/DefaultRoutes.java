package io.mistguard.proxy.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The built-in route table: every command of mist-api.md §3 with the kind it must have. It is
 * what an empty config file gets, and {@code deploy/mistguard.yaml} writes out exactly this table
 * (a test holds the two equal).
 *
 * <p>The budgets: GetState's total of 4s stays under the load balancer's 4.5s client timeout, so
 * mistguard always answers first; writes get one attempt of up to {@code request_timeout} (10s by
 * default) and are never replayed. {@code {"config":{}}} is never cached nor shared: it feeds a
 * read-modify-write, so it must see every write that finished before it was sent. {@code request_timeout} is the budget of every route without one
 * of its own, and caps the others.
 */
final class DefaultRoutes {

    static final String MIST = "mist";

    private static final Duration TEN_S = Duration.ofSeconds(10);
    static final RetryConfig READ_RETRY =
            new RetryConfig(2, Duration.ofMillis(50), Duration.ofMillis(500), 0.2, 3, TEN_S);

    /**
     * GetState: stale for up to 10s (mist-api.md §3: 5-10s is tolerable to every consumer), shared
     * by identical calls in flight; no fresh_for, since catalyst-api already caches it for 1s.
     */
    private static final ReadCaching GET_STATE_CACHING =
            new ReadCaching(TEN_S, Duration.ZERO, Duration.ZERO, true);
    /** Every node's MistUtilLoad polls /<passphrase>.json every 5s: one answer per second serves them all. */
    private static final ReadCaching PROMETHEUS_CACHING =
            new ReadCaching(TEN_S, Duration.ZERO, Duration.ofSeconds(1), true);

    static final PolicyConfig POLICY = policy(TEN_S);

    private DefaultRoutes() {}

    /** The built-in table with {@code requestTimeout} as the default budget. */
    static PolicyConfig policy(Duration requestTimeout) {
        return new PolicyConfig(routes(requestTimeout, requestTimeout, READ_RETRY, MIST, MIST, RejectionConfig.DEFAULTS),
                                Map.of(MIST, BreakerConfig.defaults()), Map.of(MIST, AdmissionConfig.defaults()));
    }

    /**
     * The built-in routes under the given route defaults (the shipped ones: {@link #policy}). Each route
     * keeps what it sets itself in {@code deploy/mistguard.yaml}, capped by {@code total}.
     */
    static List<RouteConfig> routes(Duration total, Duration perTry, RetryConfig retry, String breaker,
                                    String admission, RejectionConfig rejection) {
        Defaults d = new Defaults(total, min(perTry, total), retry, breaker, admission, rejection);
        List<RouteConfig> routes = new ArrayList<>();
        Duration fourS = min(total, Duration.ofSeconds(4));
        routes.add(d.read("get-state", RouteMatch.commands("active_streams", "stats_streams", "push_list",
                                                           "push_auto_list"),
                          fourS, Duration.ofSeconds(2), Duration.ofMillis(4500), GET_STATE_CACHING));
        routes.add(d.read("config-read", new RouteMatch(null, null, null, "{\"config\":{}}"), total,
                          Duration.ofSeconds(5), null, ReadCaching.NONE));
        routes.add(d.write("config-write", RouteKind.WRITE, "config"));
        routes.add(d.write("invalidate-sessions", RouteKind.QUEUED, "invalidate_sessions"));
        for (String command : List.of("stop_sessions", "nuke_stream", "push_auto_add", "push_auto_remove",
                                      "push_stop")) {
            routes.add(d.write(command.replace('_', '-'), RouteKind.WRITE, command));
        }
        routes.add(d.read("prometheus", new RouteMatch("GET", "/koekjes*", java.util.Set.of(), null),
                          fourS, Duration.ofSeconds(2), null, PROMETHEUS_CACHING));
        routes.add(new RouteConfig("catch-all", RouteMatch.ANY, RouteKind.PASSTHROUGH, total, d.perTry(),
                                   retry.withAttempts(1), null, admission, rejection, null, ReadCaching.NONE));
        return routes;
    }

    /** The values a built-in route takes for every key it does not set itself. */
    private record Defaults(Duration total, Duration perTry, RetryConfig retry, String breaker, String admission,
                            RejectionConfig rejection) {

        RouteConfig read(String name, RouteMatch match, Duration timeout, Duration ownPerTry, Duration callerTimeout,
                         ReadCaching caching) {
            return new RouteConfig(name, match, RouteKind.READ, timeout, min(ownPerTry, timeout), retry, breaker,
                                   admission, rejection, callerTimeout, caching);
        }

        RouteConfig write(String name, RouteKind kind, String command) {
            return new RouteConfig(name, new RouteMatch(null, null, Set.of(command), null), kind, total, perTry,
                                   retry, breaker, admission, rejection, null, ReadCaching.NONE);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
