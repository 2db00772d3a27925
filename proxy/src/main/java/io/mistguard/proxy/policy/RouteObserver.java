package io.mistguard.proxy.policy;

/**
 * Told how long a route's requests and upstream attempts took, and of each last-known-good answer
 * it served: the seam through which metrics record latency histograms and stale answers without
 * the policy engine knowing about Micrometer.
 *
 * <p>Called on event loops, once per answer and once per attempt that ended (answered, failed,
 * cut by the deadline or abandoned); implementations must be thread-safe and must not block.
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

    /** A request of the route was answered {@code totalNanos} after it arrived. */
    void answered(long totalNanos);

    /** One upstream attempt of the route ended after {@code upstreamNanos}. */
    void attempted(long upstreamNanos);

    /** A caller of the route got a last-known-good answer {@code age} old instead of Mist's. */
    void servedStale(java.time.Duration age);
}
