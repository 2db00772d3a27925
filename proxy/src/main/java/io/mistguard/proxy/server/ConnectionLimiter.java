package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.ProxyResponses;
import io.mistguard.proxy.net.ConnectionCap;
import io.netty.channel.ChannelHandler.Sharable;

/**
 * The proxy listener's cap on open client connections, {@code limits.max_connections}
 * ({@link ConnectionCap}): a connection over it gets a 503 with
 * {@code Mistguard-Decision: rejected; reason=too-many-connections} and is closed. Each is counted
 * ({@code mistguard_listener_refusals_total{reason="too-many-connections"}}); none is logged, as no
 * request was read.
 *
 * <p>First handler of every client pipeline; one shared, thread-safe instance per listener.
 */
@Sharable
final class ConnectionLimiter extends ConnectionCap {

    /**
     * @param maxConnections {@code limits.max_connections}, ≥ 1
     * @param refusals where each connection turned away is counted ({@code too-many-connections})
     */
    ConnectionLimiter(int maxConnections, ListenerRefusals refusals) {
        super(maxConnections, ProxyResponses.tooManyConnections(),
              () -> refusals.refused(Decision.TOO_MANY_CONNECTIONS));
    }
}
