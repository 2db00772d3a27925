package io.mistguard.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ch.qos.logback.classic.Level;
import io.mistguard.proxy.logging.LogCapture;
import io.mistguard.proxy.reload.ReloadOutcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * "An answer written ahead of the one owed to an earlier request", on the admin listener: a reload
 * answers when its own thread is done, and a request pipelined behind it was answered first; the
 * aggregator's 413 and 100 Continue, too, went out at once. The whole admin pipeline
 * ({@link AdminServer#addHandlers}) on an {@link EmbeddedChannel}.
 */
class AdminAnswerOrderTest {

    private final TestAdminBackend backend = new TestAdminBackend();
    private final CompletableFuture<ReloadOutcome> reload = new CompletableFuture<>();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    AdminAnswerOrderTest() {
        backend.reloadResult = reload;
        AdminServer.addHandlers(channel.pipeline(), new AdminHandler(backend, ""));
    }

    @AfterEach
    void noLeaks() {
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aRequestPipelinedBehindAReloadIsAnsweredAfterItRegression() {
        send("POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
             + "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(out()).as("nothing before the reload's answer").isEmpty();

        reload.complete(new ReloadOutcome(true, List.of(), List.of()));
        channel.runPendingTasks();
        String out = out();
        assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").contains("\"applied\"").endsWith("ok\n");
        assertThat(out.indexOf("\"applied\"")).isLessThan(out.lastIndexOf("HTTP/1.1 200 OK"));
        assertThat(channel.isOpen()).isTrue();
    }

    /** nc's way: two requests, then the end of its input; both are answered, in order, then the close. */
    @Test
    void theEndOfInputWaitsForWhatWasPipelinedBeforeIt() {
        send("POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
             + "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(channel.isOpen()).isTrue();

        reload.complete(new ReloadOutcome(true, List.of(), List.of()));
        channel.runPendingTasks();
        assertThat(out()).contains("\"applied\"").endsWith("ok\n");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aRefusalOfARequestPipelinedBehindAReloadWaitsItsTurnRegression() {
        send("POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
             + "POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n");
        assertThat(out()).isEmpty();

        reload.complete(new ReloadOutcome(true, List.of(), List.of()));
        channel.runPendingTasks();
        String out = out();
        assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").contains("HTTP/1.1 413 ")
                .endsWith("the request body exceeds 65536 bytes\n");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aContinueForARequestPipelinedBehindAReloadWaitsItsTurnRegression() {
        send("POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
             + "POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
        assertThat(out()).isEmpty();

        reload.complete(new ReloadOutcome(true, List.of(), List.of()));
        channel.runPendingTasks();
        assertThat(out()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("HTTP/1.1 100 Continue\r\n\r\n");
        send("{}");
        channel.runPendingTasks();
        assertThat(out()).startsWith("HTTP/1.1 200 OK\r\n").contains("\"applied\"");
    }

    /**
     * Found by review: with the end of input held back behind a waiting request, the 100 owed to a
     * head after it still went out, though its body could no longer come.
     */
    @Test
    void noOwed100IsSentOnceTheCallersInputEndedRegression() {
        send("POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
             + "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
             + "POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);

        reload.complete(new ReloadOutcome(true, List.of(), List.of()));
        channel.runPendingTasks();
        assertThat(out()).contains("\"applied\"").endsWith("ok\n").doesNotContain("100 Continue");
        assertThat(channel.isOpen()).isFalse();
    }

    /**
     * Found by review: the body of a request refused for its expectation was passed on past the
     * aggregator, to the end of the pipeline (the channel's inbound queue here, checked by
     * {@link #noLeaks}).
     */
    @Test
    void theBodyOfARequestRefusedForItsExpectationGoesNowhereRegression() {
        send("POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
             + "POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: foo\r\nContent-Length: 2\r\n\r\n{}");

        reload.complete(new ReloadOutcome(true, List.of(), List.of()));
        channel.runPendingTasks();
        assertThat(out()).contains("\"applied\"", "HTTP/1.1 417 ").endsWith("only Expect: 100-continue is supported\n");
        assertThat((Object) channel.readInbound()).as("nothing passed on past the last handler").isNull();
    }

    /**
     * Found by the second review: a malformed percent-escape in the target (a typo in an operator
     * action) threw in the handler; the connection closed with no answer, and what was pipelined
     * after it was never answered.
     */
    @Test
    void aMalformedPercentEscapeGets400AndTheConnectionServesOnRegression() {
        send("GET /%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
             + "POST /admin/breakers/mist/force-open?for=%3 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
             + "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        String out = out();
        assertThat(out.split("HTTP/1.1 400 Bad Request", -1)).hasSize(3);
        assertThat(out).contains("malformed request target").endsWith("ok\n");
        assertThat(channel.isOpen()).isTrue();
    }

    /** A caller that leaves in the middle of a request is no fault of mistguard's: no warning for it. */
    @Test
    void aCallerLeavingMidRequestClosesQuietly() {
        try (LogCapture log = LogCapture.of(AdminHandler.class.getName(), Level.DEBUG)) {
            send("POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n{\"a\"");
            channel.close();

            assertThat(log.events()).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.DEBUG);
                assertThat(event.getFormattedMessage()).contains("PrematureChannelClosureException");
            });
        }
    }

    private void send(String raw) {
        channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    }

    private String out() {
        StringBuilder out = new StringBuilder();
        for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }
}
