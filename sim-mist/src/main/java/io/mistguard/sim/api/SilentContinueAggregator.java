package io.mistguard.sim.api;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/**
 * An {@link HttpObjectAggregator} that never answers {@code Expect: 100-continue}: Mist sends no
 * {@code 100 Continue} and simply waits for the body (mist-api.md §8). Sits after the HTTP decoder;
 * one instance per channel, event-loop confined like its parent.
 */
final class SilentContinueAggregator extends HttpObjectAggregator {

    SilentContinueAggregator(int maxContentLength) {
        super(maxContentLength);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        return null;
    }
}
