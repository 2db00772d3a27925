package io.mistguard.proxy.server;

import io.mistguard.proxy.classify.CommandClassifier;
import io.netty.channel.group.ChannelGroup;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every client connection of one listener shares: the classifier, the forwarder, the set of
 * open channels (for draining) and the count of requests in flight (for graceful shutdown). All
 * members are thread-safe.
 */
record ProxyServices(CommandClassifier classifier, Forwarder forwarder, ChannelGroup channels,
                     AtomicInteger inFlight) {
}
