package io.mistguard.proxy.server;

import io.mistguard.proxy.config.LimitsConfig;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Builds a client connection's pipeline in named steps:
 * {@code limit → idle → decoder → encoder → read-timeout → aggregator → proxy}.
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
        pipeline.addLast("proxy", new ProxyHandler(services));
    }

    private void addConnectionHandlers(ChannelPipeline pipeline) {
        pipeline.addLast("limit", connectionLimiter);
        pipeline.addLast("idle", new IdleStateHandler(0, 0, limits.clientIdleTimeout().toNanos(), TimeUnit.NANOSECONDS));
    }

    private void addHttpHandlers(ChannelPipeline pipeline) {
        pipeline.addLast("decoder", new StrictRequestDecoder(limits.maxInitialLineBytes(), limits.maxHeaderBytes()));
        pipeline.addLast("encoder", new HttpResponseEncoder());
        pipeline.addLast("read-timeout", new RequestReadTimeout(limits.headerReadTimeout(), limits.bodyReadTimeout()));
        pipeline.addLast("aggregator", new BodyLimitAggregator((int) Math.min(Integer.MAX_VALUE, limits.maxBodyBytes())));
    }
}
