package io.mistguard.proxy.policy;

import io.mistguard.proxy.cache.CacheSnapshot;
import io.mistguard.proxy.cache.ReadCache;
import io.mistguard.proxy.cache.ReadRoute;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.config.RouteKind;
import io.mistguard.proxy.route.RouteTable;
import io.mistguard.proxy.server.Forwarder;
import io.mistguard.proxy.time.Ticker;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The {@link Forwarder} that applies each route's policies: it picks the route, then runs a
 * {@link PolicyExchange} for the request on the caller's event loop. Holds the breakers and
 * admission pools by name (shared by the routes that name them) and exposes read-only snapshots.
 * A {@code read} route that coalesces or keeps answers first offers each request to its
 * {@link ReadRoute}, which runs one shared {@code PolicyExchange} per group of identical requests.
 * Thread-safe: everything it holds is immutable or lock-free.
 */
public final class PolicyForwarder implements Forwarder {

    private final RouteTable table;
    private final List<RoutePolicy> routes;
    private final ReadCache cache;
    private final List<ReadRoute> reads = new ArrayList<>();
    private final Map<String, Breaker> breakers = new LinkedHashMap<>();
    private final Map<String, Admission> admissions = new LinkedHashMap<>();
    private final UpstreamAttempts upstream;
    private final Ticker ticker;

    public PolicyForwarder(PolicyConfig config, UpstreamAttempts upstream, Ticker ticker) {
        this.upstream = upstream;
        this.ticker = ticker;
        config.breakers().forEach((name, c) -> breakers.put(name, new Breaker(name, c, ticker)));
        config.admissions().forEach((name, c) -> admissions.put(name, new Admission(name, c)));
        this.table = new RouteTable(config.routes());
        List<RoutePolicy> compiled = new ArrayList<>();
        for (RouteConfig route : config.routes()) {
            compiled.add(new RoutePolicy(route, route.breaker() == null ? null : breakers.get(route.breaker()),
                                         route.admission() == null ? null : admissions.get(route.admission()),
                                         new RetryBudget(route.retry(), ticker), new RouteStats(route.name())));
        }
        this.routes = List.copyOf(compiled);
        this.cache = new ReadCache(config.cache(), ticker);
        config.routes().forEach(r -> reads.add(cache.route(r))); // null where the route makes its own calls
    }

    @Override
    public Exchange forward(EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request, MistRequest mistRequest) {
        int index = table.indexOf(mistRequest);
        RoutePolicy route = routes.get(index);
        ReadRoute read = reads.get(index);
        if (read != null) {
            Exchange cached = read.forward(loop, alloc, request, mistRequest,
                    CallerDeadline.budgetNanos(request.headers(), route.timeoutNanos()),
                    (l, a, r, arrived) -> started(new PolicyExchange(route, upstream, ticker, l, a, r, arrived,
                                                                     route.timeoutNanos())));
            if (cached != null) {
                return cached;
            }
        }
        return started(new PolicyExchange(route, upstream, ticker, loop, alloc, request));
    }

    private static PolicyExchange started(PolicyExchange exchange) {
        exchange.start();
        return exchange;
    }

    /** The read cache's counters and size. */
    public CacheSnapshot cache() {
        return cache.snapshot();
    }

    public List<BreakerSnapshot> breakers() {
        return breakers.values().stream().map(Breaker::snapshot).toList();
    }

    public List<AdmissionSnapshot> admissions() {
        return admissions.values().stream().map(Admission::snapshot).toList();
    }

    public List<RouteStatsSnapshot> routes() {
        return routes.stream().map(r -> r.stats().snapshot()).toList();
    }

    /** The counters of the route named {@code name}. */
    public RouteStatsSnapshot route(String name) {
        return routes.stream().filter(r -> r.config().name().equals(name)).findFirst()
                     .map(r -> r.stats().snapshot())
                     .orElseThrow(() -> new IllegalArgumentException("no route " + name));
    }

    /**
     * Whether calls of the {@code queued} routes (session invalidations, sent by their own drainer)
     * may go to Mist now: false while the breaker those routes name is open. With no queued route
     * or no breaker on it, calls are always allowed.
     */
    public BooleanSupplier queuedRoutesMayCall() {
        Breaker breaker = routes.stream()
                .filter(r -> r.config().kind() == RouteKind.QUEUED && r.breaker() != null)
                .map(RoutePolicy::breaker)
                .findFirst().orElse(null);
        return breaker == null ? () -> true : () -> !breaker.isRejecting();
    }

    public BreakerSnapshot breaker(String name) {
        return breakers.get(name).snapshot();
    }

    public AdmissionSnapshot admission(String name) {
        return admissions.get(name).snapshot();
    }
}
