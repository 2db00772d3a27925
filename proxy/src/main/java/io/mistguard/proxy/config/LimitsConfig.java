package io.mistguard.proxy.config;

import java.time.Duration;

/**
 * What a caller may send and hold: the bounds that keep a misbehaving or hostile client from
 * growing memory or connections without limit.
 *
 * @param maxInitialLineBytes the longest request line (method, URI, version) accepted
 * @param maxHeaderBytes the largest total size of request headers accepted
 * @param maxBodyBytes the largest request body accepted; larger ones get 413
 * @param maxConnections client connections held open at once; more are refused
 * @param clientIdleTimeout how long a client connection may sit without traffic before it is closed
 */
public record LimitsConfig(int maxInitialLineBytes, int maxHeaderBytes, long maxBodyBytes, int maxConnections,
                           Duration clientIdleTimeout) {

    /** Bodies are aggregated into one Netty buffer, whose capacity is an {@code int}. */
    public static final long MAX_BODY_BYTES_LIMIT = Integer.MAX_VALUE;

    private static final LimitsConfig DEFAULTS =
            new LimitsConfig(8 << 10, 16 << 10, 1L << 20, 10_000, Duration.ofSeconds(60));

    public LimitsConfig {
        Require.inRange(maxInitialLineBytes, 1, Integer.MAX_VALUE, "maxInitialLineBytes");
        Require.inRange(maxHeaderBytes, 1, Integer.MAX_VALUE, "maxHeaderBytes");
        Require.inRange(maxBodyBytes, 1, MAX_BODY_BYTES_LIMIT, "maxBodyBytes");
        Require.inRange(maxConnections, 1, Integer.MAX_VALUE, "maxConnections");
        Require.positive(clientIdleTimeout, "clientIdleTimeout");
    }

    /** 8KiB request line, 16KiB headers, 1MiB body, 10000 connections, 60s idle. */
    public static LimitsConfig defaults() {
        return DEFAULTS;
    }
}
