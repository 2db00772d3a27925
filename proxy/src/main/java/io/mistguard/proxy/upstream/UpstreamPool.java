package io.mistguard.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * The keep-alive connections to Mist owned by one event loop.
 *
 * <p>Callers on an event loop only ever use that loop's pool, so a connection's whole life — connect,
 * request, response, idle, close — happens on one thread and the pool needs no locks. Idle
 * connections are reused most-recently-used first, so that surplus ones age out through the idle
 * timeout. A connection that timed out, broke or carried a {@code Connection: close} answer is never
 * returned here.
 */
final class UpstreamPool {

    private final Bootstrap bootstrap;
    private final String host;
    private final int port;
    private final int maxIdle;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    /** Calls started on this loop and not finished, so that a stop can cancel them (and free their buffers). */
    private final Set<UpstreamCall> calls = Collections.newSetFromMap(new IdentityHashMap<>());

    UpstreamPool(Bootstrap bootstrap, String host, int port, int maxIdle) {
        this.bootstrap = bootstrap;
        this.host = host;
        this.port = port;
        this.maxIdle = maxIdle;
    }

    /** Takes an idle, open connection, or returns {@code null} when there is none. */
    Channel pollIdle() {
        Channel channel;
        while ((channel = idle.pollFirst()) != null) {
            if (channel.isActive()) {
                return channel;
            }
        }
        return null;
    }

    /** Starts a new connection to Mist on this pool's event loop. */
    ChannelFuture connect() {
        return bootstrap.connect(host, port);
    }

    /** Returns a healthy connection after a complete response; closes it when the pool is full. */
    void release(Channel channel) {
        if (!channel.isActive()) {
            return;
        }
        if (idle.size() >= maxIdle) {
            channel.close();
            return;
        }
        idle.offerFirst(channel);
    }

    /** Drops a connection that closed while idle. */
    void forget(Channel channel) {
        idle.remove(channel);
    }

    void track(UpstreamCall call) {
        calls.add(call);
    }

    void untrack(UpstreamCall call) {
        calls.remove(call);
    }

    /**
     * Stop: cancels every unfinished call (closing its connection and releasing its request) and
     * closes the idle connections. Must run while the loop still runs tasks: a loop that is already
     * terminating closes channels without firing their close events, which would strand the calls.
     */
    void closeAll() {
        for (UpstreamCall call : new ArrayList<>(calls)) {
            call.cancel();
        }
        closeIdle();
    }

    /** Closes every idle connection. */
    void closeIdle() {
        Channel channel;
        while ((channel = idle.pollFirst()) != null) {
            channel.close();
        }
    }

    int idleCount() {
        return idle.size();
    }
}
