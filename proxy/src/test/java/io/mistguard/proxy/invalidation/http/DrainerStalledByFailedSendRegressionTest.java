package io.mistguard.proxy.invalidation.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mistguard.proxy.NoDirectMemory;
import io.mistguard.proxy.config.UpstreamConfig;
import io.mistguard.proxy.net.Transport;
import io.mistguard.proxy.upstream.UpstreamClient;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression (found by review): the sender builds its request on an event loop, and when that
 * failed — no direct memory left for the body, which is when things already go wrong — the error
 * ended the loop's task and the sender's stage never completed. The drainer waits for that stage
 * before it does anything else, so every invalidation stalled until a restart, while callers kept
 * getting {@code queued}. The stage now fails, and the drainer backs off and sends again.
 */
class DrainerStalledByFailedSendRegressionTest {

    /** Direct buffers, as Netty's default allocator gives them, from a process that has none left. */
    private static final ByteBufAllocator NO_DIRECT_MEMORY = NoDirectMemory.PREFERRING_DIRECT;

    private final EmbeddedChannel channel = new EmbeddedChannel();

    @AfterEach
    void tearDown() {
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aRequestThatCannotBeBuiltFailsTheSendInsteadOfLeavingItPendingForever() {
        EventLoop loop = channel.eventLoop();
        MistInvalidationSender sender = new MistInvalidationSender(
                new UpstreamClient(UpstreamConfig.defaults(), Transport.nio()), loop, "127.0.0.1:4242",
                Duration.ofSeconds(2), NO_DIRECT_MEMORY);

        CompletableFuture<Void> sent = sender.send(List.of("video+a")).toCompletableFuture();
        try {
            channel.runPendingTasks();
        } catch (OutOfMemoryError escapedTheTask) {
            // What an event loop does with it: logs it and runs the next task. The stage is all that is left.
        }

        assertThat(sent).isCompletedExceptionally();
        assertThatThrownBy(sent::join).hasCauseInstanceOf(OutOfMemoryError.class);
    }
}
