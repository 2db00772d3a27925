package io.mistguard.sim.api;

import io.mistguard.sim.record.Recording;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.AttributeKey;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Per-connection attributes shared by the API handlers: Mist's auth state, the requests still in
 * flight, and whether sim-mist (rather than the peer) closed the connection. Stateless itself.
 */
final class Connections {

    static final AttributeKey<ConnectionAuth> AUTH = AttributeKey.valueOf("sim-mist.auth");
    static final AttributeKey<Boolean> CLOSED_BY_US = AttributeKey.valueOf("sim-mist.closedByUs");
    static final AttributeKey<Queue<Recording.InFlight>> IN_FLIGHT = AttributeKey.valueOf("sim-mist.inFlight");

    private Connections() {
    }

    static void init(Channel channel) {
        channel.attr(AUTH).set(new ConnectionAuth(channel.remoteAddress()));
        channel.attr(IN_FLIGHT).set(new ConcurrentLinkedQueue<>());
    }

    /** Closes the connection and remembers that it was our doing, not the peer's. */
    static ChannelFuture closeByUs(Channel channel) {
        channel.attr(CLOSED_BY_US).set(Boolean.TRUE);
        return channel.close();
    }

    static boolean closedByUs(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(CLOSED_BY_US).get());
    }

    static void track(Channel channel, Recording.InFlight inFlight) {
        channel.attr(IN_FLIGHT).get().add(inFlight);
    }

    /** Ends a request's in-flight accounting (on reply or on close). */
    static void done(Channel channel, Recording.InFlight inFlight) {
        inFlight.end();
        channel.attr(IN_FLIGHT).get().remove(inFlight);
    }

    static void endAll(Channel channel) {
        Queue<Recording.InFlight> pending = channel.attr(IN_FLIGHT).get();
        for (Recording.InFlight f; pending != null && (f = pending.poll()) != null; ) {
            f.end();
        }
    }
}
