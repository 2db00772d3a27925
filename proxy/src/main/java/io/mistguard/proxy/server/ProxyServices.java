package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.config.TrustedPeers;
import io.mistguard.proxy.server.tunnel.UpgradeTunnel;
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
     * A refusal the listener is about to send: counted ({@link ListenerRefusals}) and, when the access
     * log is on, logged ({@link AccessLog#logRefusal}). Call it once per refusal, on the event loop.
     *
     * @param request the refused request's head, or {@code null} when none was read
     * @param totalNanos from the request's arrival to the refusal; 0 when decided on arrival
     */
    void refused(HttpRequest request, Answer answer, long totalNanos) {
        refusals.refused(answer.decision());
        if (accessLog) {
            AccessLog.logRefusal(request, answer, totalNanos);
        }
    }
}
