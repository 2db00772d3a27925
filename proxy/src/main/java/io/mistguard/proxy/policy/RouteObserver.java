package io.mistguard.proxy.policy;

/**
 * Told how long a route's callers waited for their answers and its upstream attempts took, and of
 * each last-known-good answer it served: the seam through which metrics record latency histograms
 * and stale answers without the policy engine knowing about Micrometer.
 *
 * <p>Called on event loops, once per answer to a caller — whatever gave it: a policed call of the
 * caller's own, the cache (coalesced, cached, stale, or a shared call's result or failure) or the
 * queue; never for a call shared by callers or a background refresh, which are not answers — and
 * once per attempt that ended (answered, failed, cut by the deadline or abandoned), shared or not;
 * implementations must be thread-safe and must not block.
 */
public interface RouteObserver {

    /** Observes nothing. */
    RouteObserver NONE = new RouteObserver() {
        @Override
        public void answered(long totalNanos) {
        }

        @Override
        public void attempted(long upstreamNanos) {
        }

        @Override
        public void servedStale(java.time.Duration age) {
        }
    };

    /** A caller of the route was answered {@code totalNanos} after its request arrived. */
    void answered(long totalNanos);

    /** One upstream attempt of the route ended after {@code upstreamNanos}. */
    void attempted(long upstreamNanos);

    /** A caller of the route got a last-known-good answer {@code age} old instead of Mist's. */
    void servedStale(java.time.Duration age);
}
