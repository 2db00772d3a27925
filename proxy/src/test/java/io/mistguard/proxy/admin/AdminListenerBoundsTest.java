package io.mistguard.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A peer could hold an admin connection, and its file descriptor, for ever: the admin listener had
 * no request-read timeout and no idle timeout, and the token is checked per request, so a connection
 * that never finishes one is never checked. With the admin listener on the pod's address, any pod
 * could use up mistguard's descriptors and stop it accepting callers. The whole admin pipeline
 * ({@link AdminServer#addHandlers}) on an {@link EmbeddedChannel} whose clock only the test moves.
 */
class AdminListenerBoundsTest {

    private final MockTicker time = Ticker.newMockTicker();
    private final EmbeddedChannel channel = EmbeddedChannel.builder().ticker(time).handlers(new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel ch) {
            AdminServer.addHandlers(ch.pipeline(), new AdminHandler(new TestAdminBackend(), "secret"));
        }
    }).build();

    @AfterEach
    void noLeaks() {
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aRequestTrickledPastTheArrivalTimeoutGets408AndIsClosedRegression() {
        long seconds = AdminServer.ARRIVAL_TIMEOUT.toSeconds();
        send("GET /metrics HTTP/1.1\r\nHo");
        for (int i = 0; i < seconds - 1; i++) {
            advance(1);
            send("s");
        }
        assertThat(channel.isOpen()).isTrue();
        assertThat(out()).isEmpty();
        advance(1);
        assertThat(out()).startsWith("HTTP/1.1 408 Request Timeout\r\n").containsIgnoringCase("connection: close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aConnectionThatNeverSendsIsClosedAfterTheIdleTimeoutRegression() {
        advance(AdminServer.IDLE_TIMEOUT.toSeconds() - 1);
        assertThat(channel.isOpen()).isTrue();
        advance(1);
        assertThat(channel.isOpen()).isFalse();
        assertThat(out()).as("nothing was asked: nothing is answered").isEmpty();
    }

    /** Found by review: a bare CRLF (allowed between requests) every 20 s held an admin connection for ever. */
    @Test
    void bareCrlfsAreNoActivityRegression() {
        for (int i = 0; i < 2; i++) {
            advance(AdminServer.IDLE_TIMEOUT.toSeconds() / 3);
            send("\r\n");
        }
        assertThat(channel.isOpen()).isTrue();
        advance(AdminServer.IDLE_TIMEOUT.toSeconds() / 3);
        assertThat(channel.isOpen()).isFalse();
        assertThat(out()).isEmpty();
    }

    /**
     * Found by review: a caller that pipelined requests and then neither read nor sent held its
     * connection for ever, as the requests waiting behind its unread answers kept the connection busy.
     */
    @Test
    void aCallerThatStopsReadingAndSendingIsClosedAfterTheIdleTimeoutRegression() {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // its socket is full
        send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(3));
        assertThat(out()).startsWith("HTTP/1.1 200 OK\r\n");
        advance(AdminServer.IDLE_TIMEOUT.toSeconds() - 1);
        assertThat(channel.isOpen()).isTrue();
        advance(AdminServer.IDLE_TIMEOUT.toSeconds());
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aKeepAliveConnectionIsClosedAfterTheIdleTimeoutAndNotBefore() {
        send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(out()).startsWith("HTTP/1.1 200 OK\r\n");
        advance(AdminServer.IDLE_TIMEOUT.toSeconds() - 1);
        send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(out()).startsWith("HTTP/1.1 200 OK\r\n");
        advance(AdminServer.IDLE_TIMEOUT.toSeconds() - 1);
        assertThat(channel.isOpen()).isTrue();
        advance(AdminServer.IDLE_TIMEOUT.toSeconds());
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aWholeRequestInOneReadNeedsNoArrivalTimerAndIsAnswered() {
        send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(out()).startsWith("HTTP/1.1 200 OK\r\n");
        advance(AdminServer.ARRIVAL_TIMEOUT.toSeconds() + 1);
        assertThat(channel.isOpen()).as("no 408 for a request that came whole").isTrue();
        assertThat(out()).isEmpty();
    }

    @Test
    void anHttp10KeepAliveCallerIsToldItsConnectionIsKeptRegression() {
        send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assertThat(out()).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("\r\nconnection: keep-alive\r\n");
        assertThat(channel.isOpen()).isTrue();
        send("GET /healthz HTTP/1.0\r\n\r\n");
        assertThat(out()).containsIgnoringCase("\r\nconnection: close\r\n");
        assertThat(channel.isOpen()).isFalse();
    }

    private void send(String raw) {
        channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
    }

    private void advance(long seconds) {
        time.advance(seconds, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    private String out() {
        StringBuilder all = new StringBuilder();
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; ) {
            all.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return all.toString();
    }
}
