package io.mistguard.proxy.policy;

import io.mistguard.proxy.config.PolicyConfig;
import java.util.List;

/**
 * What operations read of the route table's policies — snapshots of breakers, admission pools and
 * per-route counters — and the one thing they act on: a named breaker, for operator overrides. The
 * admin listener and the meters see only this, never the hot path. Implementations are thread-safe;
 * every snapshot is a copy taken when asked.
 */
public interface PolicyView {

    /** The routes and named policies this view describes. */
    PolicyConfig config();

    List<BreakerSnapshot> breakers();

    List<AdmissionSnapshot> admissions();

    List<RouteStatsSnapshot> routes();

    /**
     * The counters of the route named {@code name}.
     *
     * @throws IllegalArgumentException when there is no such route
     */
    RouteStatsSnapshot route(String name);

    /**
     * @throws NullPointerException when there is no breaker named {@code name}
     */
    BreakerSnapshot breaker(String name);

    /**
     * @throws NullPointerException when there is no admission pool named {@code name}
     */
    AdmissionSnapshot admission(String name);

    /** The breaker named {@code name}, for operator overrides; {@code null} when there is none. */
    Breaker breakerNamed(String name);
}
