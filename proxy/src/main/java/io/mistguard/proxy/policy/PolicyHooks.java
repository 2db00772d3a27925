package io.mistguard.proxy.policy;

import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.exchange.QueueHandoff;
import java.util.function.Function;

/**
 * What the policy engine reports to operations: the shared registry of attempts in flight and,
 * per route, where latencies go. Shared by every route table a reload builds, so that views and
 * meters span reloads. Immutable.
 *
 * @param inflight the attempts at Mist now
 * @param observers the latency and stale-answer observer of each route (metrics), called when a table
 *                  is built
 * @param queue where the {@code queued} routes' requests go; {@code null}: they go to Mist like writes
 */
public record PolicyHooks(Inflight inflight, Function<RouteConfig, RouteObserver> observers, QueueHandoff queue) {

    /** Queued routes go to Mist. */
    public PolicyHooks(Inflight inflight, Function<RouteConfig, RouteObserver> observers) {
        this(inflight, observers, null);
    }

    /** For tests and tools that need no operations view. */
    public static PolicyHooks none() {
        return new PolicyHooks(new Inflight(), route -> RouteObserver.NONE);
    }
}
