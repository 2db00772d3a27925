package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.config.TrustedPeers;
import io.mistguard.proxy.server.tunnel.UpgradeTunnel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpRequest;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every client connection of one listener shares: the classifier, the forwarder, the set of
 * open channels (for draining), the count of requests in flight (for graceful shutdown), whether
 * each answer gets an access-log line, the peers that may be presented to Mist as local, the
 * WebSocket tunnel ({@code null}: upgrades are not passed through) and the count of the listener's
 * refusals. All members are thread-safe.
 */
record ProxyServices(CommandClassifier classifier, Forwarder forwarder, ChannelGroup channels,
                     AtomicInteger inFlight, boolean accessLog, TrustedPeers trustedPeers, UpgradeTunnel tunnel,
                     ListenerRefusals refusals) {

    ProxyServices(CommandClassifier classifier, Forwarder forwarder, ChannelGroup channels, AtomicInteger inFlight) {
        this(classifier, forwarder, channels, inFlight, false, TrustedPeers.defaults(), null, new ListenerRefusals());
    }

    /**
     * A refusal the listener is about to send: counted now ({@link ListenerRefusals}) and, when the
     * access log is on, logged once it is sent or could not be ({@link AccessLog#onceRefusalSent}).
     * Call it once per refusal, on the event loop, right before writing it, and add what it returns
     * to that write.
     *
     * @param request the refused request's head, or {@code null} when none was read
     * @param totalNanos from the request's arrival to the refusal; 0 when decided on arrival
     * @return the listener that logs the refusal's line, or one that does nothing without an access log
     */
    ChannelFutureListener refused(HttpRequest request, Answer answer, long totalNanos) {
        refusals.refused(answer.decision());
        return accessLog ? AccessLog.onceRefusalSent(request, answer, totalNanos) : NO_LINE;
    }

    /** What {@link #refused} returns without an access log. */
    private static final ChannelFutureListener NO_LINE = written -> { };
}
