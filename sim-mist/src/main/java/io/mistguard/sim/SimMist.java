package io.mistguard.sim;

import io.mistguard.sim.api.MistApi;
import io.mistguard.sim.api.SimState;
import io.mistguard.sim.control.ControlChannelInitializer;
import io.mistguard.sim.fault.Chaos;
import io.mistguard.sim.fault.Faults;
import io.mistguard.sim.record.Recording;
import io.mistguard.sim.trigger.TriggerSender;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A running simulated Mist: the API listener, an optional control listener, the global command lock,
 * state, faults (and their chaos mode), recording and trigger sender. Start one with {@link #builder()}; {@link #close()}
 * frees every socket and thread, including connections left hanging by faults. Thread-safe.
 */
public final class SimMist implements AutoCloseable {

    private final MistApi sim;
    private final Chaos chaos;
    private final EventLoopGroup group;
    private final ChannelGroup channels = new DefaultChannelGroup("sim-mist", GlobalEventExecutor.INSTANCE);
    private final Channel api;
    private final Channel control;

    SimMist(MistApi sim, String host, int port, int controlPort, int ioThreads) throws InterruptedException {
        this.sim = sim;
        this.chaos = new Chaos(sim.faults());
        this.group = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
        try {
            this.api = bind(host, port, sim.channelInitializer(channels));
            this.control = controlPort < 0 ? null : bind(host, controlPort,
                    new ControlChannelInitializer(sim.faults(), chaos, sim.recording(), sim.triggers(), channels));
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
    }

    /** A builder with Mist's defaults: 127.0.0.1, an ephemeral port, no control port, no triggers. */
    public static SimMistBuilder builder() {
        return new SimMistBuilder();
    }

    private Channel bind(String host, int port, ChannelInitializer<SocketChannel> init) throws InterruptedException {
        Channel ch;
        try {
            ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class).childHandler(init)
                    .bind(new InetSocketAddress(host, port)).sync().channel();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) { // Netty's sync() rethrows the checked BindException as is
            throw new BindFailure(host, port, e);
        }
        channels.add(ch);
        return ch;
    }

    public int port() {
        return ((InetSocketAddress) api.localAddress()).getPort();
    }

    /** The control port, or -1 when no control listener was asked for. */
    public int controlPort() {
        return control == null ? -1 : ((InetSocketAddress) control.localAddress()).getPort();
    }

    public Faults faults() {
        return sim.faults();
    }

    /** Random faults over time from a seeded {@link io.mistguard.sim.fault.ChaosSchedule}: start, stop, inspect. */
    public Chaos chaos() {
        return chaos;
    }

    public Recording recording() {
        return sim.recording();
    }

    public TriggerSender triggers() {
        return sim.triggers();
    }

    /** The simulated Mist's state, for seeding and inspection. */
    public SimState state() {
        return sim.state();
    }

    @Override
    public void close() {
        chaos.close();
        sim.faults().clear();
        channels.forEach(MistApi::markClosedByUs);
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        sim.close();
        sim.triggers().close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
