package io.mistguard.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

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
    private final ReuseRule reuse;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    /**
     * Calls started on this loop and not finished, so that a stop can cancel them (and free their
     * buffers): a list linked through the calls themselves, so that tracking a call costs neither a
     * node nor an identity hash (a set of them was ~0.1 µs of CPU per request in profile.sh).
     */
    private UpstreamCall newestCall;

    UpstreamPool(Bootstrap bootstrap, String host, int port, int maxIdle) {
        this(bootstrap, host, port, maxIdle, ReuseRule.MIST);
    }

    /** @param reuse which answers leave a connection fit for another request ({@link ReuseRule}) */
    UpstreamPool(Bootstrap bootstrap, String host, int port, int maxIdle, ReuseRule reuse) {
        this.bootstrap = bootstrap;
        this.host = host;
        this.port = port;
        this.maxIdle = maxIdle;
        this.reuse = reuse;
    }

    /** The rule that decides whether a connection of this pool is kept after an answer. */
    ReuseRule reuse() {
        return reuse;
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

    /** Tracks a call that is starting; at most once per call. */
    void track(UpstreamCall call) {
        call.olderCall = newestCall;
        call.newerCall = null;
        if (newestCall != null) {
            newestCall.newerCall = call;
        }
        newestCall = call;
    }

    /** Stops tracking a call that finished; does nothing for one not tracked (any more). */
    void untrack(UpstreamCall call) {
        if (call.newerCall == null && newestCall != call) {
            return; // not in the list: only the newest call has no newer one
        }
        if (call.newerCall != null) {
            call.newerCall.olderCall = call.olderCall;
        } else {
            newestCall = call.olderCall;
        }
        if (call.olderCall != null) {
            call.olderCall.newerCall = call.newerCall;
        }
        call.olderCall = null;
        call.newerCall = null;
    }

    /**
     * Stop: cancels every unfinished call (closing its connection and releasing its request) and
     * closes the idle connections. Must run while the loop still runs tasks: a loop that is already
     * terminating closes channels without firing their close events, which would strand the calls.
     */
    void closeAll() {
        List<UpstreamCall> unfinished = new ArrayList<>();
        for (UpstreamCall call = newestCall; call != null; call = call.olderCall) {
            unfinished.add(call);
        }
        for (UpstreamCall call : unfinished) {
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
