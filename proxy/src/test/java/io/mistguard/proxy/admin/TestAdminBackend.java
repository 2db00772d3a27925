package io.mistguard.proxy.admin;

import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.invalidation.InvalidationStats;
import io.mistguard.proxy.metrics.RouteLatency;
import io.mistguard.proxy.policy.InflightAttempt;
import io.mistguard.proxy.policy.PolicyHooks;
import io.mistguard.proxy.policy.PolicyRegistry;
import io.mistguard.proxy.policy.PolicyView;
import io.mistguard.proxy.reload.ReloadOutcome;
import io.mistguard.proxy.time.ManualClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An admin backend for {@code EmbeddedChannel} tests: the shipped route table's policies on a
 * {@link ManualClock}, no upstream (an attempt fails the test), an empty invalidation queue and
 * route latencies the test sets.
 */
final class TestAdminBackend implements AdminBackend {

    final ManualClock clock = new ManualClock();
    final Map<String, RouteLatency> latencies = new HashMap<>();
    private final ProxyConfig config = ProxyConfig.defaults();
    private final PolicyRegistry policies = new PolicyRegistry(config.policy(), (loop, request, timeout, own, replayable) -> {
        throw new AssertionError("no call to Mist in an admin test");
    }, clock, PolicyHooks.none(), null);

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public String scrape() {
        return "# no meters\n";
    }

    @Override
    public ProxyConfig config() {
        return config;
    }

    @Override
    public PolicyView policies() {
        return policies;
    }

    @Override
    public InvalidationStats invalidations() {
        return new InvalidationStats(0, Duration.ZERO, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    @Override
    public List<InflightAttempt> inflight() {
        return List.of();
    }

    @Override
    public long nowNanos() {
        return clock.nanoTime();
    }

    @Override
    public RouteLatency latency(String route) {
        return latencies.get(route);
    }

    @Override
    public CompletableFuture<ReloadOutcome> reload(String trigger) {
        return reloadResult;
    }

    /** What {@link #reload} returns: failed unless a test gives its own (one it completes later, say). */
    CompletableFuture<ReloadOutcome> reloadResult =
            CompletableFuture.failedFuture(new UnsupportedOperationException("no reload in an admin test"));
}
