package io.mistguard.proxy.upstream;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;

/**
 * The upstream connection reserved for one client connection (HAProxy calls such a connection
 * "private": it is never shared with another client).
 *
 * <p>Mist decides once per TCP connection whether its peer is local, and a login sticks to its
 * connection (mist-api.md §2, §8). A request that is not local-equivalent — a peer outside
 * {@code trusted_peers}, a forwarding header, an {@code Authorization} header or an {@code authorize}
 * command — must therefore never ride a pooled connection, and no other caller may ever ride the
 * connection it used. This holder keeps that connection between the requests of its client
 * connection: opened by the first of them, reused only by later ones, closed when the client
 * connection closes.
 *
 * <p>Holds at most one idle upstream channel; a channel in use belongs to its call until released.
 * Confined to the client channel's event loop, which is also the loop of every upstream call the
 * client makes, so it needs no synchronisation.
 */
public final class PrivateConnection {

    private Channel idle;
    private boolean closed;

    private PrivateConnection() {
    }

    /** A holder that closes its upstream connection when {@code client} closes. */
    public static PrivateConnection of(Channel client) {
        PrivateConnection connection = new PrivateConnection();
        requireNonNull(client, "client").closeFuture().addListener(f -> connection.close());
        return connection;
    }

    /** The idle upstream channel if it is still open; the caller then owns it until {@link #release}. */
    Channel pollIdle() {
        Channel channel = idle;
        idle = null;
        return channel != null && channel.isActive() ? channel : null;
    }

    /** Keeps {@code channel} for this client's next request, or closes it when the client is gone. */
    void release(Channel channel) {
        if (closed || !channel.isActive()) {
            channel.close();
            return;
        }
        if (idle != null && idle != channel) {
            idle.close(); // cannot happen with one request at a time per client; never keep two
        }
        idle = channel;
    }

    /** The client connection closed: close the idle upstream connection, and any released later. */
    void close() {
        closed = true;
        if (idle != null) {
            idle.close();
            idle = null;
        }
    }
}
