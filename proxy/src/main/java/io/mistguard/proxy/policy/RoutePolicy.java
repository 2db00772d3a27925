package io.mistguard.proxy.policy;

import io.mistguard.proxy.config.RouteConfig;

/**
 * A route ready to serve: its config with the shared breaker and admission pool it names (either
 * may be {@code null}), its own retry budget and counters, and the observer of its latencies. Immutable references; the parts are
 * thread-safe.
 */
record RoutePolicy(RouteConfig config, Breaker breaker, Admission admission, RetryBudget budget, RouteStats stats,
                   RouteObserver observer) {

    long timeoutNanos() {
        return config.timeout().toNanos();
    }

    long perTryNanos() {
        return config.perTryTimeout().toNanos();
    }
}
