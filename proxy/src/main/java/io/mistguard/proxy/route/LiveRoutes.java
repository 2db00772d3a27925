package io.mistguard.proxy.route;

import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.exchange.QueueHandoff;
import io.mistguard.proxy.policy.Inflight;
import io.mistguard.proxy.policy.PolicyHooks;
import io.mistguard.proxy.policy.PolicyRegistry;
import io.mistguard.proxy.policy.UpstreamAttempts;
import io.mistguard.proxy.time.Ticker;
import io.mistguard.proxy.upstream.PrivateConnection;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The route table in force, swapped whole by a reload: each request reads the current
 * {@link RouteDispatcher} once and keeps it, so a request in flight finishes under the table it
 * started with while new requests take the new one. What carries over is decided by
 * {@link PolicyRegistry} (breakers, pools, counters, budgets) and {@link RouteDispatcher} (the cache).
 *
 * <p>Thread-safe: one {@link AtomicReference}; {@link #reload} may be called from any thread, and
 * concurrent reloads are serialised so none is lost.
 */
public final class LiveRoutes implements Forwarder {

    private final AtomicReference<RouteDispatcher> current;
    private final UpstreamAttempts upstream;
    private final Ticker ticker;
    private final PolicyHooks hooks;
    private final QueueHandoff queue;

    /**
     * @param ticker the clock shared by breakers, retry budgets and the cache: the event loops' own
     *               ({@link Ticker#system()} in production)
     * @param queue where {@code queued} routes' requests go; {@code null}: to Mist as writes
     */
    public LiveRoutes(PolicyConfig config, UpstreamAttempts upstream, Ticker ticker, PolicyHooks hooks,
                      QueueHandoff queue) {
        this.upstream = upstream;
        this.ticker = ticker;
        this.hooks = hooks;
        this.queue = queue;
        this.current = new AtomicReference<>(build(config, null));
    }

    private RouteDispatcher build(PolicyConfig config, RouteDispatcher previous) {
        PolicyRegistry policies = new PolicyRegistry(config, upstream, ticker, hooks,
                                                     previous == null ? null : previous.policies());
        return new RouteDispatcher(config, policies, queue, ticker, previous);
    }

    @Override
    public Exchange forward(EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request, MistRequest mistRequest,
                            PrivateConnection privateConnection) {
        return current.get().forward(loop, alloc, request, mistRequest, privateConnection);
    }

    /** The table in force now. */
    public RouteDispatcher current() {
        return current.get();
    }

    /** Builds a table for {@code config} from the current one and puts it in force; returns it. */
    public synchronized RouteDispatcher reload(PolicyConfig config) {
        RouteDispatcher next = build(config, current.get());
        current.set(next);
        return next;
    }

    /** {@link PolicyRegistry#queuedRoutesMayCall()} of whichever table is in force when asked. */
    public BooleanSupplier queuedRoutesMayCall() {
        return () -> current.get().policies().queuedRoutesMayCall().getAsBoolean();
    }

    /** The registry of upstream attempts in flight, across reloads. */
    public Inflight inflight() {
        return hooks.inflight();
    }
}
