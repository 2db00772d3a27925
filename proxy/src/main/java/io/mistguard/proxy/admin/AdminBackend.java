package io.mistguard.proxy.admin;

import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.invalidation.InvalidationStats;
import io.mistguard.proxy.metrics.RouteLatency;
import io.mistguard.proxy.policy.Breaker;
import io.mistguard.proxy.policy.InflightAttempt;
import io.mistguard.proxy.policy.PolicyView;
import io.mistguard.proxy.reload.ReloadOutcome;
import io.mistguard.proxy.trigger.TriggerView;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the admin listener reads and acts on, implemented by the running {@code Mistguard}. Every
 * method is thread-safe and returns at once (a reload answers through its future).
 */
public interface AdminBackend {

    /** Listeners bound, invalidation state replayed, and not draining. */
    boolean ready();

    /** All meters in the Prometheus text format. */
    String scrape();

    /** The effective config in force (routes merged with their defaults). */
    ProxyConfig config();

    /** The route table in force, with its breakers. */
    PolicyView policies();

    InvalidationStats invalidations();

    /** Upstream attempts in flight, oldest first. */
    List<InflightAttempt> inflight();

    /** The clock attempts and breakers are measured on. */
    long nowNanos();

    /** The trigger listener's policies and shared state, or {@code null} when it is not configured. */
    default TriggerView triggers() {
        return null;
    }

    /**
     * The trigger listener's breaker on catalyst-api ({@code catalyst-api}), or {@code null} when the
     * listener is not configured: listed by {@code /admin/breakers} and forced there like the route
     * table's breakers.
     */
    default Breaker triggerBreaker() {
        return null;
    }

    /**
     * The answer-latency buckets and stale-answer totals of the route named {@code route} (what
     * {@code mistguard_request_seconds} and the stale meters count), or {@code null} when the route
     * has none: the status page's p50/p99 and stale age.
     */
    default RouteLatency latency(String route) {
        return null;
    }

    /** Re-reads the config file; completes when the reload was applied or refused. */
    CompletableFuture<ReloadOutcome> reload(String trigger);
}
