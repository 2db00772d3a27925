package io.mistguard.proxy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.policy.AdmissionSnapshot;
import io.mistguard.proxy.policy.BreakerSnapshot;
import io.mistguard.proxy.policy.PolicyView;
import io.mistguard.proxy.policy.RouteStatsSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Counters and gauges of routes, breakers and admission pools, read at scrape time from the
 * snapshots of the route table in force (no state of their own). Tags are config names only.
 *
 * <p>{@link #refresh()} runs after start and after every reload: it registers meters for names that
 * appeared and removes those of names that are gone, so tags stay bounded by the current config.
 * Confined to whoever starts and reloads (serialised by the reloader).
 */
final class PolicyMeters {

    /** One help text for both reasons (one metric name has one): they count different things. */
    private static final String CANCELLATIONS =
            "Attempts at Mist cut by the deadline (deadline); callers gone before their answer (caller-gone)";

    private final MeterRegistry registry;
    private final Supplier<PolicyView> policies;
    private final Map<String, List<Meter>> byName = new HashMap<>();

    PolicyMeters(MeterRegistry registry, Supplier<PolicyView> policies) {
        this.registry = registry;
        this.policies = policies;
    }

    void refresh() {
        Set<String> wanted = new java.util.HashSet<>();
        for (RouteStatsSnapshot route : policies.get().routes()) {
            String key = "route:" + route.route();
            wanted.add(key);
            byName.computeIfAbsent(key, k -> routeMeters(route));
        }
        for (BreakerSnapshot breaker : policies.get().breakers()) {
            String key = "breaker:" + breaker.name();
            wanted.add(key);
            byName.computeIfAbsent(key, k -> breakerMeters(breaker.name()));
        }
        for (AdmissionSnapshot pool : policies.get().admissions()) {
            String key = "admission:" + pool.name();
            wanted.add(key);
            byName.computeIfAbsent(key, k -> admissionMeters(pool.name()));
        }
        byName.keySet().removeIf(key -> {
            if (wanted.contains(key)) {
                return false;
            }
            byName.get(key).forEach(registry::remove);
            return true;
        });
    }

    private List<Meter> routeMeters(RouteStatsSnapshot first) {
        String name = first.route();
        List<Meter> meters = new ArrayList<>();
        for (Decision decision : Decision.perRoute()) {
            meters.add(FunctionCounter.builder("mistguard.decisions", this, m -> m.route(name, s -> s.decided(decision)))
                    .description("Answers by route and reason").tags("route", name, "reason", decision.token())
                    .register(registry));
        }
        meters.add(counter("mistguard.retries", "Attempts after the first", name, s -> s.retries()));
        meters.add(counter("mistguard.retry.budget.exhausted", "Retries not made because the retry budget was spent",
                           name, s -> s.retryBudgetExhausted()));
        meters.add(counter("mistguard.late.responses", "Upstream answers that arrived after the caller was answered",
                           name, s -> s.lateResponses()));
        meters.add(FunctionCounter.builder("mistguard.cancellations", this,
                        m -> m.route(name, s -> s.attemptsCutByDeadline()))
                .description(CANCELLATIONS).tags("route", name, "reason", "deadline")
                .register(registry));
        meters.add(FunctionCounter.builder("mistguard.cancellations", this,
                        m -> m.route(name, s -> s.decided(Decision.CANCELLED)))
                .description(CANCELLATIONS).tags("route", name, "reason", "caller-gone")
                .register(registry));
        meters.add(Gauge.builder("mistguard.upstream.inflight", this, m -> m.route(name, s -> s.upstreamInFlight()))
                .description("Attempts at Mist now").tag("route", name).register(registry));
        return meters;
    }

    private Meter counter(String meter, String help, String route, ToDoubleFunction<RouteStatsSnapshot> value) {
        return FunctionCounter.builder(meter, this, m -> m.route(route, value)).description(help)
                .tag("route", route).register(registry);
    }

    private List<Meter> breakerMeters(String name) {
        return List.of(
                Gauge.builder("mistguard.breaker.state", this, m -> m.breaker(name, BreakerSnapshot::stateNumber))
                        .description("0 closed, 1 open, 2 half-open (an operator's override wins)")
                        .tag("breaker", name).register(registry),
                Gauge.builder("mistguard.breaker.failure.rate", this, m -> m.breaker(name, b -> b.failureRate()))
                        .description("Percent of failed calls in the breaker's window").tag("breaker", name)
                        .register(registry),
                Gauge.builder("mistguard.breaker.forced", this,
                              m -> m.breaker(name, b -> BreakerSnapshot.NOT_FORCED.equals(b.forced()) ? 0 : 1))
                        .description("1 while an operator's override (force-open or force-close) is in force")
                        .tag("breaker", name).register(registry));
    }

    private List<Meter> admissionMeters(String name) {
        return List.of(
                Gauge.builder("mistguard.admission.inflight", this, m -> m.admission(name, a -> a.inFlight()))
                        .description("Admission slots held").tag("admission", name).register(registry),
                Gauge.builder("mistguard.admission.queued", this, m -> m.admission(name, a -> a.queued()))
                        .description("Calls to Mist waiting for a slot").tag("admission", name).register(registry),
                FunctionCounter.builder("mistguard.admission.rejected", this, m -> m.admission(name, a -> a.rejected()))
                        .description("Calls to Mist turned away because the queue was full (a shared call counts once)")
                        .tag("admission", name).register(registry));
    }

    private double route(String name, ToDoubleFunction<RouteStatsSnapshot> value) {
        return policies.get().routes().stream().filter(r -> r.route().equals(name)).findFirst()
                       .map(value::applyAsDouble).orElse(Double.NaN);
    }

    private double breaker(String name, ToDoubleFunction<BreakerSnapshot> value) {
        return policies.get().breakers().stream().filter(b -> Objects.equals(b.name(), name)).findFirst()
                       .map(value::applyAsDouble).orElse(Double.NaN);
    }

    private double admission(String name, ToDoubleFunction<AdmissionSnapshot> value) {
        return policies.get().admissions().stream().filter(a -> a.name().equals(name)).findFirst()
                       .map(value::applyAsDouble).orElse(Double.NaN);
    }
}
