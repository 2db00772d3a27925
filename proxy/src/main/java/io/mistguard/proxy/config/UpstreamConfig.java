package io.mistguard.proxy.config;

import java.time.Duration;

/**
 * How mistguard talks to Mist: where it is, how long a connect may take, how many idle keep-alive
 * connections each event loop keeps, and how large a response it accepts.
 *
 * @param host Mist's API host, an IP address or a name (IPv6 without brackets)
 * @param port Mist's API port, 1 to 65535
 * @param connectTimeout the longest a TCP connect to Mist may take
 * @param maxIdleConnectionsPerThread idle keep-alive connections kept per event loop
 * @param idleTimeout how long an unused pooled connection is kept before it is closed
 * @param maxResponseBytes the largest response body accepted from Mist; larger ones fail the attempt
 */
public record UpstreamConfig(String host, int port, Duration connectTimeout, int maxIdleConnectionsPerThread,
                             Duration idleTimeout, long maxResponseBytes) {

    /** Responses are aggregated into one Netty buffer, whose capacity is an {@code int}. */
    public static final long MAX_RESPONSE_BYTES_LIMIT = Integer.MAX_VALUE;

    private static final UpstreamConfig DEFAULTS =
            new UpstreamConfig("127.0.0.1", 4242, Duration.ofSeconds(1), 32, Duration.ofSeconds(30), 16L << 20);

    public UpstreamConfig {
        Require.notEmpty(host, "host");
        Require.inRange(port, 1, 65535, "port");
        Require.positive(connectTimeout, "connectTimeout");
        Require.inRange(maxIdleConnectionsPerThread, 1, Integer.MAX_VALUE, "maxIdleConnectionsPerThread");
        Require.positive(idleTimeout, "idleTimeout");
        Require.inRange(maxResponseBytes, 1, MAX_RESPONSE_BYTES_LIMIT, "maxResponseBytes");
    }

    /** Mist's default API address on loopback, 1s connect, 32 idle connections, 30s idle, 16MiB. */
    public static UpstreamConfig defaults() {
        return DEFAULTS;
    }

    /** Returns Mist's address as a {@link HostPort}. */
    public HostPort address() {
        return new HostPort(host, port);
    }

    /** Returns the upstream URL as written in the config, e.g. {@code http://127.0.0.1:4242}. */
    public String url() {
        return "http://" + address();
    }

    /** Returns a copy pointing at {@code address}. */
    public UpstreamConfig withAddress(HostPort address) {
        return new UpstreamConfig(address.host(), address.port(), connectTimeout, maxIdleConnectionsPerThread,
                                  idleTimeout, maxResponseBytes);
    }
}
