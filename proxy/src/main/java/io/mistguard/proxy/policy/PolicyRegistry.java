package io.mistguard.proxy.policy;

import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.config.RouteKind;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.time.Ticker;
import io.mistguard.proxy.upstream.PrivateConnection;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;

/**
 * The policies of one route table: the breakers and admission pools by name (shared by the routes
 * that name them) and, per route in table order, its retry budget, counters and observer. It starts
 * policed calls ({@link PolicyExchange}) for a route given by its index in {@link PolicyConfig#routes()}.
 * Thread-safe: everything it holds is immutable or lock-free.
 *
 * <p>A reload builds a new registry from the {@code previous} one: a breaker or admission pool whose
 * name and settings are unchanged is the same object, so its state (open, slots held, waiters)
 * carries over; a route whose name is unchanged keeps its counters, and its retry budget when its
 * retry settings are unchanged. Anything whose settings changed starts fresh, but for a breaker's
 * operator override and open state ({@link Breaker#takeOver}).
 */
public final class PolicyRegistry implements PolicyView {

    private final PolicyConfig config;
    private final List<RoutePolicy> routes;
    private final Map<String, Breaker> breakers = new LinkedHashMap<>();
    private final Map<String, Admission> admissions = new LinkedHashMap<>();
    private final UpstreamAttempts upstream;
    private final PolicyHooks hooks;

    /** A registry for {@code config} that takes over what it can of {@code previous} (may be null). */
    public PolicyRegistry(PolicyConfig config, UpstreamAttempts upstream, Ticker ticker, PolicyHooks hooks,
                          PolicyRegistry previous) {
        this.config = config;
        this.upstream = upstream;
        this.hooks = hooks;
        config.breakers().forEach((name, c) -> {
            Breaker old = previous == null ? null : previous.breakers.get(name);
            if (old != null && old.config().equals(c)) {
                breakers.put(name, old);
                return;
            }
            Breaker fresh = new Breaker(name, c, ticker);
            if (old != null) {
                fresh.takeOver(old); // an override and an open state are not settings
            }
            breakers.put(name, fresh);
        });
        config.admissions().forEach((name, c) -> admissions.put(name, previous != null
                && previous.admissions.containsKey(name) && previous.admissions.get(name).config().equals(c)
                ? previous.admissions.get(name) : new Admission(name, c)));
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
    }

    /**
     * Starts a policed call for one caller of route {@code route}: the route's budget, shortened by
     * the caller's deadline header. Called on {@code loop}; the exchange takes {@code request}.
     *
     * @param privateConnection the caller's own connection, or {@code null} for the shared pool
     */
    public Forwarder.Exchange call(int route, EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request,
                                   PrivateConnection privateConnection) {
        return started(new PolicyExchange(routes.get(route), upstream, hooks.inflight(), loop, alloc, request,
                                          privateConnection, hooks.jitter()));
    }

    /**
     * Starts the one policed call that callers of route {@code route} share (the read cache's
     * {@code SharedOrigin}), on the shared pool: it may run {@code budgetNanos} from {@code arrived}
     * on {@code loop}'s clock, and an attempt never gets more. Its answer goes to the cache, which
     * counts each caller's answer with the route's decisions and latency; the call itself is not
     * counted (its attempts are, in {@code mistguard_upstream_seconds}).
     *
     * @param wanted asked before each attempt with {@code loop}'s clock reading; false ends the call
     *               without it (no waiter can take the answer any longer)
     */
    public Forwarder.Exchange sharedCall(int route, EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request,
                                         long arrived, long budgetNanos, LongPredicate wanted) {
        return started(new PolicyExchange(routes.get(route), upstream, hooks.inflight(), loop, alloc, request, null,
                                          arrived, budgetNanos, budgetNanos, hooks.jitter(), false, wanted));
    }

    /** A caller's budget on route {@code route}, in nanoseconds: its timeout, shortened by a deadline header. */
    public long budgetNanos(int route, HttpHeaders headers) {
        return CallerDeadline.budgetNanos(headers, routes.get(route).timeoutNanos());
    }

    /**
     * Counts an answer given on route {@code route} without a policed call of the caller's own (from
     * the cache, or by the queue) as the route's own calls count theirs: its decision, its wait and
     * its latency; thread-safe.
     *
     * @param waitedNanos from the caller's arrival to its answer
     * @param staleAge the age of a {@link Decision#STALE} answer, reported to the route's observer; else null
     */
    public void answeredElsewhere(int route, Decision decision, long waitedNanos, Duration staleAge) {
        routes.get(route).answered(decision, waitedNanos, staleAge);
    }

    private static PolicyExchange started(PolicyExchange exchange) {
        exchange.start();
        return exchange;
    }

    private RoutePolicy policy(String name) {
        return routes.stream().filter(r -> r.config().name().equals(name)).findFirst().orElse(null);
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

    @Override
    public PolicyConfig config() {
        return config;
    }

    @Override
    public Breaker breakerNamed(String name) {
        return breakers.get(name);
    }

    @Override
    public List<BreakerSnapshot> breakers() {
        return breakers.values().stream().map(Breaker::snapshot).toList();
    }

    @Override
    public List<AdmissionSnapshot> admissions() {
        return admissions.values().stream().map(Admission::snapshot).toList();
    }

    @Override
    public List<RouteStatsSnapshot> routes() {
        return routes.stream().map(r -> r.stats().snapshot()).toList();
    }

    @Override
    public RouteStatsSnapshot route(String name) {
        RoutePolicy policy = policy(name);
        if (policy == null) {
            throw new IllegalArgumentException("no route " + name);
        }
        return policy.stats().snapshot();
    }

    @Override
    public BreakerSnapshot breaker(String name) {
        return breakers.get(name).snapshot();
    }

    @Override
    public AdmissionSnapshot admission(String name) {
        return admissions.get(name).snapshot();
    }
}
