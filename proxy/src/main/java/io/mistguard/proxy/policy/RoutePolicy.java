package io.mistguard.proxy.policy;

import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.exchange.Decision;
import java.time.Duration;

/**
 * A route ready to serve: its config with the shared breaker and admission pool it names (either
 * may be {@code null}), its own retry budget and counters, and the observer of its latencies. Immutable references; the parts are
 * thread-safe.
 */
record RoutePolicy(RouteConfig config, Breaker breaker, Admission admission, RetryBudget budget, RouteStats stats,
                   RouteObserver observer) {

    /**
     * One answer given to a caller of this route, whatever gave it (a policed call of its own, the
     * cache, the queue): counted once in each per-answer meter — its decision, the longest wait, the
     * answer-latency histogram and, for a stale answer, the stale meters. Never for a call shared by
     * callers or a background refresh: those are not answers. Thread-safe; allocates nothing.
     *
     * @param waitedNanos from the caller's arrival to its answer
     * @param staleAge the age of a {@link Decision#STALE} answer; else null
     */
    void answered(Decision decision, long waitedNanos, Duration staleAge) {
        stats.decided(decision);
        stats.longestAnswerNanos.accumulateAndGet(waitedNanos, Math::max);
        observer.answered(waitedNanos);
        if (staleAge != null) {
            observer.servedStale(staleAge);
        }
    }

    long timeoutNanos() {
        return config.timeout().toNanos();
    }

    long perTryNanos() {
        return config.perTryTimeout().toNanos();
    }
}
