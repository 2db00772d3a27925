package io.mistguard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The connection cap every listener uses: its answer, its count, and a count that never passes the cap. */
class ConnectionCapTest {

    private static final byte[] REFUSAL = ConnectionCap.serviceUnavailable("full\n", "X-Why: test");

    @Test
    void aConnectionOverTheCapGetsTheWhole503AndIsClosedAndNotCounted() {
        AtomicInteger refused = new AtomicInteger();
        ConnectionCap cap = new ConnectionCap(1, REFUSAL, refused::incrementAndGet);
        EmbeddedChannel first = new EmbeddedChannel(cap);
        EmbeddedChannel second = new EmbeddedChannel(cap);

        ByteBuf out = second.readOutbound();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 503 Service Unavailable\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\nX-Why: test\r\nRetry-After: 1\r\n"
                + "Connection: close\r\nContent-Length: 5\r\n\r\nfull\n");
        out.release();
        assertThat(second.isOpen()).isFalse();
        assertThat(cap.openConnections()).isEqualTo(1);
        assertThat(refused).hasValue(1);
        first.close();
        assertThat(cap.openConnections()).isZero();
        assertThat(new EmbeddedChannel(cap).isOpen()).as("a place is free again").isTrue();
    }

    /**
     * Found by review: the count went up before the cap was checked and down again for a connection
     * over it, so a reading in between saw more than the cap (the gauge said so), and a connection
     * could be turned away while a place was free. Connections over the cap are made on four threads
     * while one reads the count; with the old count this read above the cap thousands of times.
     */
    @Test
    void theCountNeverPassesTheCapWhileConnectionsAreTurnedAwayRegression() throws Exception {
        ConnectionCap cap = new ConnectionCap(1, REFUSAL, () -> { });
        EmbeddedChannel held = new EmbeddedChannel(cap);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong overCap = new AtomicLong();
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                if (cap.openConnections() > 1) {
                    overCap.incrementAndGet();
                }
            }
        });
        reader.start();
        List<Thread> makers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread maker = new Thread(() -> {
                for (int i = 0; i < 5_000; i++) {
                    EmbeddedChannel over = new EmbeddedChannel(cap);
                    over.finishAndReleaseAll();
                }
            });
            makers.add(maker);
            maker.start();
        }
        for (Thread maker : makers) {
            maker.join();
        }
        done.set(true);
        reader.join();
        assertThat(overCap).as("readings above the cap").hasValue(0);
        assertThat(cap.openConnections()).isEqualTo(1);
        held.finishAndReleaseAll();
        assertThat(cap.openConnections()).isZero();
    }

    @Test
    void aCapBelowOneIsRefused() {
        assertThatThrownBy(() -> new ConnectionCap(0, REFUSAL, () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 1");
    }
}
