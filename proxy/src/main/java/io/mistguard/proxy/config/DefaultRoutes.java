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
    private static final RetryConfig READ_RETRY =
            new RetryConfig(2, Duration.ofMillis(50), Duration.ofMillis(500), 0.2, 3, TEN_S);
    /** Writes keep one retry for a connect that was refused: that request never reached Mist. */
    private static final RetryConfig WRITE_RETRY = READ_RETRY;

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
        return new PolicyConfig(routes(requestTimeout), Map.of(MIST, BreakerConfig.defaults()),
                                Map.of(MIST, AdmissionConfig.defaults()));
    }

    private static List<RouteConfig> routes(Duration total) {
        List<RouteConfig> routes = new ArrayList<>();
        routes.add(read("get-state", RouteMatch.commands("active_streams", "stats_streams", "push_list",
                                                         "push_auto_list"),
                        min(total, Duration.ofSeconds(4)), Duration.ofSeconds(2), Duration.ofMillis(4500),
                        GET_STATE_CACHING));
        routes.add(read("config-read", new RouteMatch(null, null, null, "{\"config\":{}}"), total,
                        Duration.ofSeconds(5), null, ReadCaching.NONE));
        routes.add(write("config-write", RouteKind.WRITE, "config", total));
        routes.add(write("invalidate-sessions", RouteKind.QUEUED, "invalidate_sessions", total));
        for (String command : List.of("stop_sessions", "nuke_stream", "push_auto_add", "push_auto_remove",
                                      "push_stop")) {
            routes.add(write(command.replace('_', '-'), RouteKind.WRITE, command, total));
        }
        routes.add(read("prometheus", new RouteMatch("GET", "/koekjes*", java.util.Set.of(), null),
                        min(total, Duration.ofSeconds(4)), Duration.ofSeconds(2), null, PROMETHEUS_CACHING));
        routes.add(new RouteConfig("catch-all", RouteMatch.ANY, RouteKind.PASSTHROUGH, total, total,
                                   READ_RETRY.withAttempts(1), null, MIST, RejectionConfig.DEFAULTS,
                                   null, ReadCaching.NONE));
        return routes;
    }

    private static RouteConfig read(String name, RouteMatch match, Duration timeout, Duration perTry,
                                    Duration callerTimeout, ReadCaching caching) {
        return new RouteConfig(name, match, RouteKind.READ, timeout, min(perTry, timeout), READ_RETRY, MIST, MIST,
                               RejectionConfig.DEFAULTS, callerTimeout, caching);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static RouteConfig write(String name, RouteKind kind, String command, Duration total) {
        return new RouteConfig(name, new RouteMatch(null, null, Set.of(command), null), kind, total, total,
                               WRITE_RETRY, MIST, MIST, RejectionConfig.DEFAULTS, null, ReadCaching.NONE);
    }
}
