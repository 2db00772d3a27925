package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.config.TrustedPeers;
import io.mistguard.proxy.server.tunnel.UpgradeTunnel;
import io.netty.channel.group.ChannelGroup;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every client connection of one listener shares: the classifier, the forwarder, the set of
 * open channels (for draining), the count of requests in flight (for graceful shutdown), whether
 * each answer gets an access-log line, the peers that may be presented to Mist as local, and the
 * WebSocket tunnel ({@code null}: upgrades are not passed through). All members are thread-safe.
 */
record ProxyServices(CommandClassifier classifier, Forwarder forwarder, ChannelGroup channels,
                     AtomicInteger inFlight, boolean accessLog, TrustedPeers trustedPeers, UpgradeTunnel tunnel) {

    ProxyServices(CommandClassifier classifier, Forwarder forwarder, ChannelGroup channels, AtomicInteger inFlight) {
        this(classifier, forwarder, channels, inFlight, false, TrustedPeers.defaults(), null);
    }
}
