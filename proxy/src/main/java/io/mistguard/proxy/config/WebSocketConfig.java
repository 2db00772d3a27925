package io.mistguard.proxy.config;

import java.time.Duration;

/**
 * The {@code websocket:} section: WebSocket upgrades (Mist's web UI live view, {@code GET /ws}) are
 * passed through to Mist on a connection of their own, outside any route's budget. Immutable.
 *
 * @param handshakeTimeout from the upgrade request reaching Mist until Mist's complete answer
 *                         (then 504 {@code timeout}); positive
 * @param idleTimeout an open tunnel with no bytes moving either way for this long is closed; positive
 * @param maxOpen tunnels open (or opening) at once, each holding one connection to Mist, which refuses
 *                descriptors past 1024 (mist-api.md §8); more get 503 {@code too-many-tunnels}; from 1
 *                to 1000. Tunnels also count against {@code limits.max_connections}.
 */
public record WebSocketConfig(Duration handshakeTimeout, Duration idleTimeout, int maxOpen) {

    /** Mist refuses descriptors past 1024: a bound well below that, leaving room for everything else. */
    public static final int MAX_OPEN_LIMIT = 1000;

    private static final WebSocketConfig DEFAULTS =
            new WebSocketConfig(Duration.ofSeconds(5), Duration.ofMinutes(5), 64);

    public WebSocketConfig {
        Require.positive(handshakeTimeout, "handshakeTimeout");
        Require.positive(idleTimeout, "idleTimeout");
        Require.inRange(maxOpen, 1, MAX_OPEN_LIMIT, "maxOpen");
    }

    /** 5 s handshake, 5 min idle, 64 open. */
    public static WebSocketConfig defaults() {
        return DEFAULTS;
    }
}
