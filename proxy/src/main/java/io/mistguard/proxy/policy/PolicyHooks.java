package io.mistguard.proxy.policy;

import static java.util.Objects.requireNonNull;

import io.mistguard.proxy.config.RouteConfig;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

/**
 * What the policy engine reports to operations: the shared registry of attempts in flight and,
 * per route, where latencies go. Shared by every route table a reload builds, so that views and
 * meters span reloads. Immutable.
 *
 * @param inflight the attempts at Mist now
 * @param observers the latency and stale-answer observer of each route (metrics), called when a table
 *                  is built
 * @param jitter the retry backoff's jitter, uniform in {@code [0, 1)}; called on any event loop, so
 *               it must be thread-safe (tests pin it to make backoffs exact)
 */
public record PolicyHooks(Inflight inflight, Function<RouteConfig, RouteObserver> observers,
                          DoubleSupplier jitter) {

    /**
     * The calling thread's own generator each time: a method reference to one
     * {@code ThreadLocalRandom.current()} would pin the generator of the thread that built it.
     */
    static final DoubleSupplier RANDOM_JITTER = () -> ThreadLocalRandom.current().nextDouble();

    public PolicyHooks {
        requireNonNull(jitter, "jitter");
    }

    /** Backoffs jittered at random. */
    public PolicyHooks(Inflight inflight, Function<RouteConfig, RouteObserver> observers) {
        this(inflight, observers, RANDOM_JITTER);
    }

    /** For tests and tools that need no operations view. */
    public static PolicyHooks none() {
        return new PolicyHooks(new Inflight(), route -> RouteObserver.NONE);
    }
}
