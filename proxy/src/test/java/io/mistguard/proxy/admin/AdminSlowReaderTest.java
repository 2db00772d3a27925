package io.mistguard.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Found by review: the admin listener handed a connection its next pipelined request as soon as the
 * answer before it was flushed, however full the socket. A caller that pipelined {@code GET /healthz}
 * in a loop and never read piled answers up in Netty's outbound buffer until direct memory ran out,
 * and then no listener of the process answered anyone. The whole admin pipeline
 * ({@link AdminServer#addHandlers}) on an {@link EmbeddedChannel} made unwritable, as a socket whose
 * peer does not read is.
 */
class AdminSlowReaderTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();

    AdminSlowReaderTest() {
        AdminServer.addHandlers(channel.pipeline(), new AdminHandler(new TestAdminBackend(), ""));
    }

    @AfterEach
    void noLeaks() {
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aCallerThatDoesNotReadIsNotSentMoreAnswersRegression() {
        socketFull(true);
        channel.writeInbound(Unpooled.copiedBuffer("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(3),
                                                   StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
        assertThat(answers()).as("one answer while the socket is full").isEqualTo(1);
        assertThat(channel.config().isAutoRead()).as("reading stops while requests wait").isFalse();

        socketFull(false);
        channel.runPendingTasks();
        assertThat(answers()).as("the rest once it drained").isEqualTo(2);
        assertThat(channel.config().isAutoRead()).as("nothing waits: reading again").isTrue();
        assertThat(channel.isOpen()).isTrue();
    }

    /** As a socket whose peer stops reading: the channel is not writable until it drains. */
    private void socketFull(boolean full) {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, !full);
    }

    private int answers() {
        int n = 0;
        for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
            n += out.toString(StandardCharsets.ISO_8859_1).split("HTTP/1.1 200 OK", -1).length - 1;
            out.release();
        }
        return n;
    }
}
