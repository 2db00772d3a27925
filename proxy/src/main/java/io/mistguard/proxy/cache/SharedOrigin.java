package io.mistguard.proxy.cache;

import io.mistguard.proxy.server.Forwarder;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;

/**
 * Starts the one policed call to Mist that a group of identical reads shares: the route's
 * admission, breaker, attempts and retries, with the route's whole budget counted from
 * {@code arrived} (the first caller's arrival) — not any one caller's deadline header, since
 * callers with longer deadlines wait on it too. Provided by the policy layer.
 */
@FunctionalInterface
public interface SharedOrigin {

    /** Called on {@code loop}; the exchange takes ownership of {@code request}. */
    Forwarder.Exchange start(EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request, long arrived);
}
