package io.mistguard.proxy.policy;

import io.mistguard.proxy.cache.CacheObserver;
import io.mistguard.proxy.cache.CacheSnapshot;
import io.mistguard.proxy.cache.ReadCache;
import io.mistguard.proxy.cache.ReadRoute;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.config.RouteKind;
import io.mistguard.proxy.route.RouteTable;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.time.Ticker;
import io.mistguard.proxy.upstream.PrivateConnection;
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
 *
 * <p>A reload builds a new forwarder from the {@code previous} one ({@link LivePolicies}): a breaker
 * or admission pool whose name and settings are unchanged is the same object, so its state (open,
 * slots held, waiters) carries over; a route whose name is unchanged keeps its counters, and its
 * retry budget when its retry settings are unchanged; the read cache carries over while its bounds
 * are unchanged. Anything whose settings changed starts fresh.
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
    private final PolicyConfig config;
    private final PolicyHooks hooks;

    public PolicyForwarder(PolicyConfig config, UpstreamAttempts upstream, Ticker ticker) {
        this(config, upstream, ticker, PolicyHooks.none(), null);
    }

    /** A forwarder for {@code config} that takes over what it can of {@code previous} (may be null). */
    public PolicyForwarder(PolicyConfig config, UpstreamAttempts upstream, Ticker ticker, PolicyHooks hooks,
                           PolicyForwarder previous) {
        this.upstream = upstream;
        this.ticker = ticker;
        this.config = config;
        this.hooks = hooks;
        config.breakers().forEach((name, c) -> breakers.put(name, previous != null
                && previous.breakers.containsKey(name) && previous.breakers.get(name).config().equals(c)
                ? previous.breakers.get(name) : new Breaker(name, c, ticker)));
        config.admissions().forEach((name, c) -> admissions.put(name, previous != null
                && previous.admissions.containsKey(name) && previous.admissions.get(name).config().equals(c)
                ? previous.admissions.get(name) : new Admission(name, c)));
        this.table = new RouteTable(config.routes());
        List<RoutePolicy> compiled = new ArrayList<>();
        for (RouteConfig route : config.routes()) {
            RoutePolicy old = previous == null ? null : previous.policy(route.name());
            RetryBudget budget = old != null && old.config().retry().equals(route.retry()) ? old.budget()
                    : new RetryBudget(route.retry(), ticker);
            RouteStats stats = old != null ? old.stats() : new RouteStats(route.name());
            compiled.add(new RoutePolicy(route, route.breaker() == null ? null : breakers.get(route.breaker()),
                                         route.admission() == null ? null : admissions.get(route.admission()),
                                         budget, stats, hooks.observers().apply(route)));
        }
        this.routes = List.copyOf(compiled);
        // Entries are keyed by route name, so a reload keeps last-known-good answers of unchanged routes.
        this.cache = previous != null && previous.cache.config().equals(config.cache()) ? previous.cache
                : new ReadCache(config.cache(), ticker);
        for (RoutePolicy route : routes) { // null where the route makes its own calls
            reads.add(cache.route(route.config(), cacheObserver(route)));
        }
    }

    @Override
    public Exchange forward(EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request, MistRequest mistRequest,
                            PrivateConnection privateConnection) {
        int index = table.indexOf(mistRequest);
        RoutePolicy route = routes.get(index);
        // The queue delivers as a local caller: only a local-equivalent caller's request may use it.
        if (route.config().kind() == RouteKind.QUEUED && hooks.queue() != null && privateConnection == null) {
            Exchange queued = hooks.queue().offer(loop, alloc, request, mistRequest, route.config().name());
            if (queued != null) {
                return queued;
            }
        }
        ReadRoute read = reads.get(index);
        // Only local-equivalent callers share calls and stored answers, and only with each other.
        if (read != null && privateConnection == null) {
            Exchange cached = read.forward(loop, alloc, request, mistRequest,
                    CallerDeadline.budgetNanos(request.headers(), route.timeoutNanos()),
                    (l, a, r, arrived, budget) -> started(new PolicyExchange(route, upstream, hooks.inflight(), ticker,
                                                                             l, a, r, null, arrived, budget, budget,
                                                                             hooks.jitter())));
            if (cached != null) {
                return cached;
            }
        }
        return started(new PolicyExchange(route, upstream, hooks.inflight(), ticker, loop, alloc, request,
                                          privateConnection, hooks.jitter()));
    }

    /** Counts the answers the cache gives callers itself with the route's other decisions. */
    private CacheObserver cacheObserver(RoutePolicy route) {
        return (decision, staleAge) -> {
            route.stats().decided(decision);
            if (staleAge != null) {
                route.observer().servedStale(staleAge);
            }
        };
    }

    private static PolicyExchange started(PolicyExchange exchange) {
        exchange.start();
        return exchange;
    }

    /** The route table and settings this forwarder serves. */
    public PolicyConfig config() {
        return config;
    }

    /** The breaker named {@code name}, for operator overrides; {@code null} when there is none. */
    public Breaker breakerNamed(String name) {
        return breakers.get(name);
    }

    private RoutePolicy policy(String name) {
        return routes.stream().filter(r -> r.config().name().equals(name)).findFirst().orElse(null);
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
