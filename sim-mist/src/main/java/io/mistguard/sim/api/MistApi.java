package io.mistguard.sim.api;

import io.mistguard.sim.fault.Faults;
import io.mistguard.sim.record.Recording;
import io.mistguard.sim.trigger.TriggerSender;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;

/**
 * The API port of one sim-mist, as {@code SimMist} wires it: Mist's global command lock and the
 * command executor over a {@link SimState}, shared with the faults, recording and trigger sender by
 * every connection's pipeline ({@link ApiChannelInitializer}). The one public way into this
 * package's machinery, so its handlers, lock and executor stay package-private. Thread-safe.
 */
public final class MistApi implements AutoCloseable {

    private final SimContext sim;

    public MistApi(SimState state, Faults faults, Recording recording, TriggerSender triggers,
                   MistBehaviour behaviour) {
        this.sim = new SimContext(state, faults, recording, new CommandLock(),
                new CommandExecutor(state, triggers, behaviour, recording), triggers);
    }

    /**
     * Seeds an auto-push the way a scenario lists it ({@code {stream, target}} or a positional array),
     * as {@code push_auto_add} would store it. Call before the API port serves requests.
     */
    public void addAutoPush(Object entry) {
        new PushCommands(sim.state(), sim.triggers()).autoAdd(Json.MAPPER.valueToTree(entry));
    }

    /** The pipeline for every connection the API port accepts; each connection joins {@code channels}. */
    public ChannelInitializer<SocketChannel> channelInitializer(ChannelGroup channels) {
        return new ApiChannelInitializer(sim, channels);
    }

    /** Marks {@code channel} as closed by sim-mist, so its closing is not counted as the peer's. */
    public static void markClosedByUs(Channel channel) {
        channel.attr(Connections.CLOSED_BY_US).set(Boolean.TRUE);
    }

    public SimState state() {
        return sim.state();
    }

    public Faults faults() {
        return sim.faults();
    }

    public Recording recording() {
        return sim.recording();
    }

    public TriggerSender triggers() {
        return sim.triggers();
    }

    /** Stops the command thread: commands still queued fail, and a held lock is let go. */
    @Override
    public void close() {
        sim.lock().close();
    }
}
