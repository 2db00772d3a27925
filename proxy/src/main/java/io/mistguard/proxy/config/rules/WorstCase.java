package io.mistguard.proxy.config.rules;

import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.RetryConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.time.Backoff;
import java.time.Duration;

/**
 * The longest a caller of one route can wait, from its settings alone: the admission queue wait
 * (at most the route's timeout), every attempt running to its per-try timeout, and the longest
 * backoff before each retry. mist-api.md §6: a layered call's worst case must stay below the
 * caller's timeout. Immutable.
 *
 * @param queueWait the admission {@code queue_timeout}, capped by the route timeout; zero without a pool
 * @param attempts the route's attempts
 * @param backoff the sum of the longest backoff before each retry
 * @param sum queue wait + attempts × per-try timeout + backoff, as if nothing cut it short
 * @param enforced what a caller can actually wait: the sum, cut by the route's total {@code timeout}
 */
public record WorstCase(Duration queueWait, int attempts, Duration backoff, Duration sum, Duration enforced) {

    public static WorstCase of(RouteConfig route, PolicyConfig policy) {
        Duration queue = route.admission() == null ? Duration.ZERO
                : min(policy.admissions().get(route.admission()).queueTimeout(), route.timeout());
        RetryConfig retry = route.retry();
        Duration backoff = Duration.ZERO;
        for (int n = 1; n < retry.attempts(); n++) {
            // The longest wait before retry n: the ceiling of the backoff the route retries with.
            backoff = backoff.plusNanos(Backoff.ceilingNanos(retry.backoffBase(), retry.backoffMax(), n));
        }
        Duration sum = queue.plus(route.perTryTimeout().multipliedBy(retry.attempts())).plus(backoff);
        return new WorstCase(queue, retry.attempts(), backoff, sum, min(sum, route.timeout()));
    }

    /** True when the route's timeout, not the sum of its parts, bounds the wait. */
    public boolean cutByTimeout() {
        return sum.compareTo(enforced) > 0;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
