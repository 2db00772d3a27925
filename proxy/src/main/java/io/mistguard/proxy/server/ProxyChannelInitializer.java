package io.mistguard.proxy.server;

import io.mistguard.proxy.config.LimitsConfig;
import io.mistguard.proxy.net.RequestAggregator;
import io.mistguard.proxy.net.StrictServerCodec;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.Channel;

/**
 * Builds a client connection's pipeline in named steps:
 * {@code limit → decoder → encoder → read-timeout → aggregator → proxy}. The idle timeout is kept by
 * {@code proxy} itself ({@link ProxyHandler}).
 */
final class ProxyChannelInitializer extends ChannelInitializer<Channel> {

    private final LimitsConfig limits;
    private final ConnectionLimiter connectionLimiter;
    private final ProxyServices services;

    ProxyChannelInitializer(LimitsConfig limits, ConnectionLimiter connectionLimiter, ProxyServices services) {
        this.limits = limits;
        this.connectionLimiter = connectionLimiter;
        this.services = services;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        addConnectionHandlers(pipeline);
        addHttpHandlers(pipeline);
        pipeline.addLast("proxy", new ProxyHandler(services, limits.clientIdleTimeout()));
    }

    private void addConnectionHandlers(ChannelPipeline pipeline) {
        pipeline.addLast("limit", connectionLimiter);
    }

    private void addHttpHandlers(ChannelPipeline pipeline) {
        StrictServerCodec.addLast(pipeline, limits.maxInitialLineBytes(), limits.maxHeaderBytes());
        pipeline.addLast("read-timeout", new RequestReadTimeout(limits.headerReadTimeout(), limits.bodyReadTimeout(),
                                                                services));
        pipeline.addLast("aggregator", new RequestAggregator((int) Math.min(Integer.MAX_VALUE, limits.maxBodyBytes()),
                                                             "request"));
    }
}
