package io.mistguard.proxy.policy;

import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.upstream.PrivateConnection;
import io.mistguard.proxy.time.Ticker;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The route table in force, swapped whole by a reload: each request reads the current
 * {@link PolicyForwarder} once and keeps it, so a request in flight finishes under the table it
 * started with while new requests take the new one. What carries over is decided by
 * {@link PolicyForwarder}'s reload constructor.
 *
 * <p>Thread-safe: one {@link AtomicReference}; {@link #reload} may be called from any thread, and
 * concurrent reloads are serialised so none is lost.
 */
public final class LivePolicies implements Forwarder {

    private final AtomicReference<PolicyForwarder> current;
    private final UpstreamAttempts upstream;
    private final Ticker ticker;
    private final PolicyHooks hooks;

    public LivePolicies(PolicyConfig config, UpstreamAttempts upstream, Ticker ticker, PolicyHooks hooks) {
        this.upstream = upstream;
        this.ticker = ticker;
        this.hooks = hooks;
        this.current = new AtomicReference<>(new PolicyForwarder(config, upstream, ticker, hooks, null));
    }

    @Override
    public Exchange forward(EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request, MistRequest mistRequest,
                            PrivateConnection privateConnection) {
        return current.get().forward(loop, alloc, request, mistRequest, privateConnection);
    }

    /** The table in force now. */
    public PolicyForwarder current() {
        return current.get();
    }

    /** Builds a table for {@code config} from the current one and puts it in force; returns it. */
    public synchronized PolicyForwarder reload(PolicyConfig config) {
        PolicyForwarder next = new PolicyForwarder(config, upstream, ticker, hooks, current.get());
        current.set(next);
        return next;
    }

    /** {@link PolicyForwarder#queuedRoutesMayCall()} of whichever table is in force when asked. */
    public BooleanSupplier queuedRoutesMayCall() {
        return () -> current.get().queuedRoutesMayCall().getAsBoolean();
    }

    /** The registry of upstream attempts in flight, across reloads. */
    public Inflight inflight() {
        return hooks.inflight();
    }
}
