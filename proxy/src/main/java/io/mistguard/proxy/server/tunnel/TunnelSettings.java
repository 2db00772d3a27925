package io.mistguard.proxy.server.tunnel;

import static java.util.Objects.requireNonNull;

import io.mistguard.proxy.net.Transport;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;

/**
 * How {@link UpgradeTunnel} reaches Mist and how long each phase of a tunnel may last. Immutable and
 * validated once; safe to share between event loops.
 *
 * @param host Mist's API host, an IP address or a name (names are resolved on the event loop, as the
 *             upstream pool does; use an address)
 * @param port Mist's API port, 1 to 65535
 * @param transport the I/O transport; tunnels use its {@code socketChannelClass()} so that the upstream
 *                  channel can live on the client's own event loop
 * @param connectTimeout the longest the TCP connect to Mist may take (then 504 {@code connect-timeout})
 * @param handshakeTimeout from the upgrade request being written to Mist until its complete answer
 *                         (then 504 {@code timeout})
 * @param idleTimeout an established tunnel with no bytes moving either way for this long is closed
 * @param maxResponseBytes the largest body accepted when Mist answers the upgrade with something other
 *                         than 101 (then 502 {@code response-too-large})
 * @param maxTunnels tunnels (being opened or open) allowed at once; more are refused with 503
 *                   {@code too-many-tunnels}. Each holds a connection to Mist, which refuses
 *                   descriptors past 1024 (mist-api.md §8)
 * @param extraHeaders adds headers to each upgrade request before it goes to Mist
 */
public record TunnelSettings(String host, int port, Transport transport, Duration connectTimeout,
                             Duration handshakeTimeout, Duration idleTimeout, int maxResponseBytes, int maxTunnels,
                             ExtraHeaders extraHeaders) {

    public TunnelSettings {
        requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host: \"\" (expected: a host name or an IP address)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1 to 65535)");
        }
        requireNonNull(transport, "transport");
        positive(connectTimeout, "connectTimeout");
        positive(handshakeTimeout, "handshakeTimeout");
        positive(idleTimeout, "idleTimeout");
        if (connectTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " (expected: <= "
                    + Integer.MAX_VALUE + " ms)");
        }
        if (maxResponseBytes < 1) {
            throw new IllegalArgumentException("maxResponseBytes: " + maxResponseBytes + " (expected: > 0)");
        }
        if (maxTunnels < 1) {
            throw new IllegalArgumentException("maxTunnels: " + maxTunnels + " (expected: > 0)");
        }
        requireNonNull(extraHeaders, "extraHeaders");
    }

    /**
     * Mist at {@code host:port} with a 1 s connect, a 5 s handshake, a 5 min idle timeout, 1 MiB for
     * a refusal's body (Mist's web UI, which it may send instead of upgrading, is about 720 KB), at
     * most 64 tunnels and no extra headers.
     */
    public static TunnelSettings defaults(String host, int port, Transport transport) {
        return new TunnelSettings(host, port, transport, Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofMinutes(5), 1 << 20, 64, ExtraHeaders.NONE);
    }

    /** A copy with other timeouts. */
    public TunnelSettings withTimeouts(Duration connectTimeout, Duration handshakeTimeout, Duration idleTimeout) {
        return new TunnelSettings(host, port, transport, connectTimeout, handshakeTimeout, idleTimeout,
                maxResponseBytes, maxTunnels, extraHeaders);
    }

    /** A copy with other bounds. */
    public TunnelSettings withLimits(int maxResponseBytes, int maxTunnels) {
        return new TunnelSettings(host, port, transport, connectTimeout, handshakeTimeout, idleTimeout,
                maxResponseBytes, maxTunnels, extraHeaders);
    }

    /** A copy with another header hook. */
    public TunnelSettings withExtraHeaders(ExtraHeaders extraHeaders) {
        return new TunnelSettings(host, port, transport, connectTimeout, handshakeTimeout, idleTimeout,
                maxResponseBytes, maxTunnels, extraHeaders);
    }

    private static void positive(Duration value, String name) {
        requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }

    /**
     * Adds headers to an upgrade request on its way to Mist, e.g. {@code X-Real-IP} for a caller
     * mistguard does not trust. Called on the client's event loop after hop-by-hop fields were
     * removed; must not block or throw.
     */
    @FunctionalInterface
    public interface ExtraHeaders {

        /** Adds nothing. */
        ExtraHeaders NONE = (client, headers) -> { };

        /**
         * @param client  the caller's connection (its {@code remoteAddress()} is the peer)
         * @param headers the request's headers, to add to
         */
        void addTo(Channel client, HttpHeaders headers);
    }
}
