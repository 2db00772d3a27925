package io.mistguard.proxy.trigger;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;

/**
 * Mist's side of one connection to the trigger listener's own pipeline
 * ({@link TriggerServer#addHandlers}, a 1 KiB body limit, no access log), on an
 * {@link EmbeddedChannel} sharing a {@link TriggerHarness}'s fake clock: writes raw bytes, reads raw
 * bytes. For the tests of what the listener refuses.
 */
final class ListenerEdge implements AutoCloseable {

    final EmbeddedChannel channel;
    private final TriggerHarness harness;

    ListenerEdge(TriggerHarness harness) {
        this.harness = harness;
        channel = EmbeddedChannel.builder().ticker(harness.time).handlers(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                TriggerServer.addHandlers(ch.pipeline(), harness.service, 1024, false);
            }
        }).build();
    }

    /** Writes {@code raw} (ISO-8859-1) and runs what falls due on both sides. */
    void send(String raw) {
        channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
        harness.runPending();
        channel.runPendingTasks();
    }

    /** Everything the listener wrote so far, as bytes on the wire. */
    String rawOut() {
        StringBuilder all = new StringBuilder();
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            all.append(out.toString(StandardCharsets.ISO_8859_1));
            out.release();
        }
        return all.toString();
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
