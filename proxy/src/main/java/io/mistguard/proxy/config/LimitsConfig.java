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
 * @param headerReadTimeout how long a request's head may take to arrive, from its first byte
 * @param bodyReadTimeout how long a request's body may take to arrive, from the end of its head
 */
public record LimitsConfig(int maxInitialLineBytes, int maxHeaderBytes, long maxBodyBytes, int maxConnections,
                           Duration clientIdleTimeout, Duration headerReadTimeout, Duration bodyReadTimeout) {

    /** The default of {@code header_read_timeout} and of {@code body_read_timeout}. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

    /** Bodies are aggregated into one Netty buffer, whose capacity is an {@code int}. */
    public static final long MAX_BODY_BYTES_LIMIT = Integer.MAX_VALUE;

    private static final LimitsConfig DEFAULTS =
            new LimitsConfig(8 << 10, 16 << 10, 1L << 20, 10_000, Duration.ofSeconds(60));

    /** With the default request-read timeouts. */
    public LimitsConfig(int maxInitialLineBytes, int maxHeaderBytes, long maxBodyBytes, int maxConnections,
                        Duration clientIdleTimeout) {
        this(maxInitialLineBytes, maxHeaderBytes, maxBodyBytes, maxConnections, clientIdleTimeout,
             DEFAULT_READ_TIMEOUT, DEFAULT_READ_TIMEOUT);
    }

    public LimitsConfig {
        Require.inRange(maxInitialLineBytes, 1, Integer.MAX_VALUE, "maxInitialLineBytes");
        Require.inRange(maxHeaderBytes, 1, Integer.MAX_VALUE, "maxHeaderBytes");
        Require.inRange(maxBodyBytes, 1, MAX_BODY_BYTES_LIMIT, "maxBodyBytes");
        Require.inRange(maxConnections, 1, Integer.MAX_VALUE, "maxConnections");
        Require.positive(clientIdleTimeout, "clientIdleTimeout");
        Require.positive(headerReadTimeout, "headerReadTimeout");
        Require.positive(bodyReadTimeout, "bodyReadTimeout");
    }

    /** 8KiB request line, 16KiB headers, 1MiB body, 10000 connections, 60s idle, 10s to read a head or a body. */
    public static LimitsConfig defaults() {
        return DEFAULTS;
    }
}
