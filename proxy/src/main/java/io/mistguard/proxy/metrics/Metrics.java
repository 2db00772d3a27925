package io.mistguard.proxy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.invalidation.InvalidationStats;
import io.mistguard.proxy.policy.PolicyView;
import io.mistguard.proxy.policy.RouteObserver;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The meters of one mistguard: one {@link PrometheusMeterRegistry} with every name prefixed
 * {@code mistguard_}, JVM and process meters, and those of routes, breakers, admission pools, the
 * invalidation queue and stale answers. {@link #scrape()} renders them for the admin {@code /metrics}.
 *
 * <p>Thread-safe for recording and scraping; {@link #observer} and {@link #routesChanged()} are
 * called by whoever builds route tables (start, reloads), one at a time.
 */
public final class Metrics {

    /** What Prometheus expects for the text exposition format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, RouteTimers> timers = new HashMap<>();
    private final Map<String, RouteConfig> timed = new HashMap<>();
    private PolicyMeters policyMeters;
    private InvalidationMeters invalidationMeters;
    private ToLongFunction<Decision> listenerRefusals;
    /** Held here because a function counter references its object weakly. */
    private ToLongFunction<Decision> tunnelHandshakes;
    /** What the accept-failure counters read, held here: a counter holds its object weakly. */
    private final List<Object> acceptFailureOwners = new CopyOnWriteArrayList<>();

    public Metrics() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new GcMeters().bindTo(registry); // not JvmGcMetrics: see GcMeters
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new DirectMemoryMeters().bindTo(registry);
    }

    /**
     * The latency observer of {@code route}. A route whose timeouts changed in a reload gets new
     * histograms (its bucket boundaries follow its timeouts); otherwise the same ones carry on.
     */
    public synchronized RouteObserver observer(RouteConfig route) {
        RouteConfig before = timed.get(route.name());
        RouteTimers existing = timers.get(route.name());
        if (existing != null && before.timeout().equals(route.timeout())
                && before.perTryTimeout().equals(route.perTryTimeout())) {
            return existing;
        }
        if (existing != null) {
            existing.remove(registry);
        }
        RouteTimers created = new RouteTimers(registry, route);
        timers.put(route.name(), created);
        timed.put(route.name(), route);
        return created;
    }

    /**
     * Registers the counters and gauges read from the policies in force ({@code policies} is asked at
     * every scrape and refresh) and the invalidation queue.
     */
    public synchronized void bind(Supplier<PolicyView> policies, Supplier<InvalidationStats> invalidations) {
        policyMeters = new PolicyMeters(registry, policies);
        policyMeters.refresh();
        invalidationMeters = new InvalidationMeters(registry, invalidations);
    }

    /** After a reload: meters for new names, none for names that are gone. */
    public synchronized void routesChanged(Iterable<RouteConfig> routes) {
        java.util.Set<String> names = new java.util.HashSet<>();
        routes.forEach(r -> names.add(r.name()));
        timers.keySet().removeIf(name -> {
            if (names.contains(name)) {
                return false;
            }
            timers.get(name).remove(registry);
            timed.remove(name);
            return true;
        });
        if (policyMeters != null) {
            policyMeters.refresh();
        }
    }

    /**
     * Registers the meters of a part that owns its own (the trigger listener's {@code TriggerMeters}),
     * in this registry, so that {@code /metrics} shows them with the rest.
     */
    public synchronized void bind(io.micrometer.core.instrument.binder.MeterBinder meters) {
        meters.bindTo(registry);
    }

    /**
     * Registers {@code mistguard_listener_refusals_total{reason}}: the proxy listener's own answers
     * before any route was chosen, one series per {@link Decision#listenerRefusals()} from the start.
     *
     * @param count the refusals so far of a reason; read at scrape time, so it must be thread-safe
     */
    public synchronized void listenerRefusals(ToLongFunction<Decision> count) {
        listenerRefusals = count; // a counter holds its object weakly: this method reference has no other holder
        for (Decision reason : Decision.listenerRefusals()) {
            FunctionCounter.builder("mistguard.listener.refusals", count, c -> c.applyAsLong(reason))
                    .description("Requests and connections the proxy listener refused before any route, by reason")
                    .tag("reason", reason.token())
                    .register(registry);
        }
    }

    /**
     * Registers {@code mistguard_listener_connections_open}: client connections the proxy listener
     * holds now, to set against {@code limits.max_connections} (HAProxy's {@code scur}, Envoy's
     * {@code downstream_cx_active}).
     *
     * @param open read at scrape time, so it must be thread-safe
     */
    public void listenerConnections(java.util.function.IntSupplier open) {
        io.micrometer.core.instrument.Gauge.builder("mistguard.listener.connections.open", open, o -> o.getAsInt())
                .description("Client connections the proxy listener holds open now (at most limits.max_connections)")
                .strongReference(true) // the supplier is a lambda nobody else holds
                .register(registry);
    }

    /**
     * Registers {@code mistguard_accept_failures_total{listener}}: connections a listener failed to
     * accept (out of file descriptors, say), while callers waited in its backlog.
     *
     * @param listener the listener's name: {@code proxy}, {@code trigger} or {@code admin}
     * @param owner what {@code failures} reads; held strongly here, read at scrape time
     * @param failures the failures so far; must be thread-safe
     */
    public <T> void acceptFailures(String listener, T owner, ToLongFunction<T> failures) {
        acceptFailureOwners.add(owner); // a counter holds its object weakly
        FunctionCounter.builder("mistguard.accept.failures", owner, o -> failures.applyAsLong(o))
                .description("Connections a listener failed to accept (out of file descriptors, say), by listener")
                .tag("listener", listener)
                .register(registry);
    }

    /**
     * Registers {@code mistguard_websocket_handshakes_total}: WebSocket upgrades that went to Mist, by
     * how their handshake ended, each reason from the start.
     *
     * @param reasons the closed set of reasons
     * @param count read at scrape time, so it must be thread-safe
     */
    public synchronized void tunnelHandshakes(List<Decision> reasons, ToLongFunction<Decision> count) {
        tunnelHandshakes = count; // a counter holds its object weakly: this method reference has no other holder
        for (Decision reason : reasons) {
            FunctionCounter.builder("mistguard.websocket.handshakes", count, c -> c.applyAsLong(reason))
                    .description("WebSocket upgrades that went to Mist, by how their handshake ended")
                    .tag("reason", reason.token())
                    .register(registry);
        }
    }

    /** Registers {@code mistguard_websocket_tunnels_open}: WebSocket tunnels open or opening now. */
    public void tunnels(java.util.function.IntSupplier open) {
        io.micrometer.core.instrument.Gauge.builder("mistguard.websocket.tunnels.open", open, o -> o.getAsInt())
                .description("WebSocket upgrades passed through to Mist, open or opening")
                .strongReference(true) // the supplier is a lambda nobody else holds
                .register(registry);
    }

    /**
     * The answer-latency buckets and stale-answer totals of the route named {@code route}, or
     * {@code null} when no route of that name is timed. Called by the admin listener; the lock it
     * takes is otherwise held only while a route table is built, so it is not contended.
     */
    public synchronized RouteLatency latency(String route) {
        RouteTimers t = timers.get(route);
        return t == null ? null : t.latency();
    }

    /** Every meter in the Prometheus text format ({@link #CONTENT_TYPE}). */
    public String scrape() {
        return registry.scrape();
    }

    /** Closes the registry. */
    public void close() {
        registry.close();
    }
}
