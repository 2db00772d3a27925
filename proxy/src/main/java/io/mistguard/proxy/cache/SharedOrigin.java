package io.mistguard.proxy.cache;

import io.mistguard.proxy.exchange.Forwarder;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.function.LongPredicate;

/**
 * Starts the one policed call to Mist that a group of identical reads shares: the route's
 * admission, breaker, attempts and retries, with a budget counted from {@code arrived} (the first
 * caller's arrival) — the route's whole budget, not any one caller's deadline header, since callers
 * with longer deadlines wait on it too; or {@code per_try_timeout} for a background refresh that
 * nobody waits on. The call ends earlier when its last waiter leaves ({@link SharedCall}).
 * Provided by the policy layer.
 */
@FunctionalInterface
public interface SharedOrigin {

    /**
     * Called on {@code loop}; the exchange takes ownership of {@code request}.
     *
     * @param budgetNanos how long the call may run from {@code arrived}, in nanoseconds
     * @param wanted asked on {@code loop} before each attempt, with the reading of {@code loop}'s clock:
     *               false once no waiter can take the answer (every caller still waiting is past its
     *               own deadline, or none is left), and from then on; the call then ends without
     *               the attempt
     */
    Forwarder.Exchange start(EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request, long arrived,
                             long budgetNanos, LongPredicate wanted);
}
