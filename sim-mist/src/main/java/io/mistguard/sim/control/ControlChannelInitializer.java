package io.mistguard.sim.control;

import io.mistguard.sim.fault.Chaos;
import io.mistguard.sim.fault.Faults;
import io.mistguard.sim.record.Recording;
import io.mistguard.sim.trigger.TriggerSender;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Builds the control port's pipeline: an HTTP/1.1 codec, aggregation of whole requests, then the
 * {@link ControlHandler} over the faults, chaos mode, recording and trigger sender it drives. Each connection
 * joins {@code channels}, so closing the sim-mist closes it too. The one public way into this
 * package; shared by every connection of one control listener.
 */
public final class ControlChannelInitializer extends ChannelInitializer<SocketChannel> {

    private static final int MAX_REQUEST_BYTES = 1024 * 1024;

    private final Faults faults;
    private final Chaos chaos;
    private final Recording recording;
    private final TriggerSender triggers;
    private final ChannelGroup channels;

    public ControlChannelInitializer(Faults faults, Chaos chaos, Recording recording, TriggerSender triggers,
                                     ChannelGroup channels) {
        this.faults = faults;
        this.chaos = chaos;
        this.recording = recording;
        this.triggers = triggers;
        this.channels = channels;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast("http", new HttpServerCodec())
                .addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                .addLast("control", new ControlHandler(faults, new ChaosControl(chaos, faults), recording, triggers));
        channels.add(ch);
    }
}
