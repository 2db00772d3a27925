package io.mistguard.proxy.trigger;

import static io.mistguard.proxy.trigger.TriggerHarness.ms;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.mistguard.proxy.CallerResets;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import io.mistguard.proxy.config.TriggersConfig;
import io.mistguard.proxy.logging.LogCapture;
import io.mistguard.proxy.net.RequestAggregator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The trigger listener's edge — codec, {@link RequestAggregator}, {@link TriggerHandler} — on an
 * {@link EmbeddedChannel} sharing the {@link TriggerHarness}'s fake clock: what Mist gets for
 * requests refused before any call, the loop guard, and the access-log line of each answer.
 */
class TriggerEdgeTest {

    private static final String VIEWER = "video+s1\n10.0.0.7\n42\nHLS\nhttp://x/hls/s1/index.m3u8?token=secret\nsess-1";

    private static TriggersConfig config() {
        return TriggersConfig.defaults().withListen(new HostPort("127.0.0.1", 0)).withPolicy("USER_NEW",
                new TriggerPolicy(true, Duration.ofSeconds(1), TriggerFallback.LAST_KNOWN, TriggerFallback.DENY,
                                  Duration.ofMinutes(10), List.of(0, 5)));
    }

    /** Mist's side of one connection to the listener: writes raw requests, reads parsed answers. */
    private static final class Edge implements AutoCloseable {
        final EmbeddedChannel server;
        final EmbeddedChannel client = new EmbeddedChannel(new HttpClientCodec(), new HttpObjectAggregator(1 << 20));

        Edge(TriggerHarness h) {
            // the listener's own pipeline (TriggerServer.addHandlers), with a small body limit
            server = EmbeddedChannel.builder().ticker(h.time).handlers(new io.netty.channel.ChannelInitializer<>() {
                @Override
                protected void initChannel(io.netty.channel.Channel ch) {
                    TriggerServer.addHandlers(ch.pipeline(), h.service, 1024, true);
                }
            }).build();
        }

        void send(String raw) {
            server.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
            server.runPendingTasks();
        }

        /** Everything the listener wrote so far, as bytes on the wire. */
        String rawOut() {
            StringBuilder all = new StringBuilder();
            ByteBuf out;
            while ((out = server.readOutbound()) != null) {
                all.append(out.toString(StandardCharsets.ISO_8859_1));
                out.release();
            }
            return all.toString();
        }

        FullHttpResponse answer() {
            ByteBuf out;
            while ((out = server.readOutbound()) != null) {
                client.writeInbound(out);
            }
            return client.readInbound();
        }

        @Override
        public void close() {
            server.finishAndReleaseAll();
            client.finishAndReleaseAll();
        }
    }

    private static String post(String trigger, String body, String... headers) {
        return "POST /api/mist/trigger HTTP/1.1\r\nHost: x\r\nX-Trigger: " + trigger + "\r\n"
               + String.join("", List.of(headers).stream().map(h -> h + "\r\n").toList())
               + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /** The idle clock (kept by the trigger handler since the pipeline lost its IdleStateHandler). */
    @Test
    void aKeepAliveConnectionFromMistIdleForTheTimeoutIsClosedAndNotBefore() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
            edge.send(post("USER_NEW", VIEWER));
            h.only().answer(200, "true");
            h.runPending();
            edge.server.runPendingTasks();
            edge.answer().release();

            idle(h, edge, TriggerServer.IDLE_SECONDS / 2);
            edge.send(post("USER_NEW", VIEWER)); // a request: the clock starts again when it is answered
            h.calls.get(1).answer(200, "true");
            h.runPending();
            edge.server.runPendingTasks();
            edge.answer().release();
            idle(h, edge, TriggerServer.IDLE_SECONDS / 2);
            // Found by review: a bare CRLF now and then (allowed between requests) held the connection
            // for ever, as every read restarted the clock; it is no activity now.
            edge.send("\r\n");
            idle(h, edge, TriggerServer.IDLE_SECONDS / 2 - 1);
            assertThat(edge.server.isOpen()).isTrue();
            idle(h, edge, 1);
            assertThat(edge.server.isOpen()).isFalse();
        }
    }

    /**
     * A request trickled a byte at a time, or stopped half way, held its connection until the idle
     * timeout at best: every byte touched the idle clock. Now it must arrive whole within
     * {@link TriggerServer#ARRIVAL_TIMEOUT} of its first byte; then a 408, counted, and the connection closed.
     */
    @Test
    void aTriggerTrickledPastTheArrivalTimeoutGets408AndIsClosedRegression() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
            long seconds = TriggerServer.ARRIVAL_TIMEOUT.toSeconds();
            edge.send("POST /api/mist/trigger HTTP/1.1\r\nHost: mist\r\n");
            for (int i = 0; i < seconds - 1; i++) {
                idle(h, edge, 1);
                edge.send("X-Slow-" + i + ": a\r\n");
            }
            assertThat(edge.server.isOpen()).isTrue();
            assertThat(edge.rawOut()).isEmpty();
            idle(h, edge, 1);
            String out = edge.rawOut();
            assertThat(out).startsWith("HTTP/1.1 408 Request Timeout\r\n").containsIgnoringCase("connection: close");
            assertThat(edge.server.isOpen()).isFalse();
            assertThat(h.answered).containsExactly("other request-timeout");
            assertThat(h.calls).isEmpty();
        }
    }

    /** The arrival clock of a request pipelined behind one still answered starts when that answer goes out. */
    @Test
    void aPipelinedTriggerIsNotTimedWhileTheEarlierOneIsAnswered() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
            long seconds = TriggerServer.ARRIVAL_TIMEOUT.toSeconds();
            edge.send(post("USER_NEW", VIEWER));
            edge.send("POST /api/mist/trigger HTTP/1.1\r\n");
            idle(h, edge, seconds + 5); // catalyst-api is slow; the second request is partly in
            assertThat(edge.server.isOpen()).isTrue();
            h.only().answer(200, "true");
            h.runPending();
            edge.server.runPendingTasks();
            edge.answer().release();
            idle(h, edge, seconds - 1);
            assertThat(edge.server.isOpen()).isTrue();
            idle(h, edge, 1);
            assertThat(edge.rawOut()).startsWith("HTTP/1.1 408 Request Timeout\r\n");
            assertThat(edge.server.isOpen()).isFalse();
        }
    }

    /** Found by review: a trigger pipelined behind one being answered, left when Mist closed, had no line. */
    @Test
    void aPipelinedTriggerLeftBehindIsLoggedAs499Regression() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h);
             LogCapture log = LogCapture.of("mistguard.access", Level.INFO)) {
            edge.send(post("USER_NEW", VIEWER) + post("USER_NEW", VIEWER));
            edge.server.close();
            h.runPending();
            edge.server.runPendingTasks();
            assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage).hasSize(2)
                    .allSatisfy(line -> assertThat(line).contains("status=499 bytes=0 "))
                    .anySatisfy(line -> assertThat(line).contains("decision=cancelled status=499 bytes=0 total_ms=0 "
                            + "upstream_ms=0 attempts=0"));
        }
    }

    /** Found by review: triggers held behind one that asked to close would never be taken up: no line. */
    @Test
    void triggersLeftBehindAreLoggedUpToOneThatAskedToClose() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h);
             LogCapture log = LogCapture.of("mistguard.access", Level.INFO)) {
            edge.send(post("USER_NEW", VIEWER) + post("USER_NEW", VIEWER, "Connection: close")
                      + post("USER_NEW", VIEWER, "X-Seq: never"));
            edge.server.close();
            h.runPending();
            edge.server.runPendingTasks();
            assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage).hasSize(2)
                    .allSatisfy(line -> assertThat(line).contains("status=499 bytes=0 "));
        }
    }

    /**
     * Found by review: the line was written when the answer was handed to the socket, so a trigger
     * whose connection reset while its answer was written was logged as answered whole.
     */
    @Test
    void aTriggerAnswerWhoseWriteFailsIsLoggedAs499NotAsSentRegression() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h);
             LogCapture log = LogCapture.of("mistguard.access", Level.INFO)) {
            edge.server.pipeline().addFirst(CallerResets.EVERY_WRITE);
            edge.send(post("USER_NEW", VIEWER));
            h.only().answer(200, "true");
            h.runPending();
            edge.server.runPendingTasks();
            assertThat(log.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                    .contains("decision=proxied").contains("status=499 bytes=0 ");
        }
    }

    /**
     * Found by review: a trigger whose Mist connection closed before the answer was logged with the
     * status and size of an answer nobody received; now 499 and no bytes, as on the proxy listener.
     */
    @Test
    void aTriggerWhoseConnectionClosedFirstIsLoggedAs499WithNoBytesRegression() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h);
             LogCapture log = LogCapture.of("mistguard.access", Level.INFO)) {
            edge.send(post("USER_NEW", VIEWER));
            edge.server.close();
            h.runPending();
            edge.server.runPendingTasks();
            assertThat(log.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                    .contains("decision=cancelled").contains("status=499 bytes=0 ");
        }
    }

    /**
     * Found by review: a trigger cancelled because Mist closed while catalyst-api was being asked was
     * logged with {@code upstream_ms=0}: the attempt's time was counted when it ended with an answer
     * or at the trigger's deadline, not when Mist's leaving cancelled it.
     */
    @Test
    void aTriggerCancelledWhileCatalystIsAskedLogsTheTimeSpentThereRegression() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h);
             LogCapture log = LogCapture.of("mistguard.access", Level.INFO)) {
            edge.send(post("USER_NEW", VIEWER));
            assertThat(h.calls).hasSize(1);
            h.time.advance(300, java.util.concurrent.TimeUnit.MILLISECONDS);
            edge.server.close();
            h.runPending();
            edge.server.runPendingTasks();
            assertThat(log.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                    .contains("decision=cancelled status=499 bytes=0 total_ms=300 upstream_ms=300 attempts=1");
        }
    }

    /**
     * Found by review: the proxy listener's target rules were not applied here, so a trigger whose
     * target had a fragment, a control character or userinfo was forwarded to catalyst-api as it came.
     */
    @Test
    void aTriggerWhoseTargetIsNoRequestTargetIsRefused400AndNeverForwardedRegression() {
        for (String target : List.of("/api/mist/trigger#f", "/api/mist/trigger\u0001", "http://a@b/api/mist/trigger",
                                     "*", "ws://u@h/x", "http:/x")) {
            try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
                edge.send(post("USER_NEW", VIEWER).replaceFirst("/api/mist/trigger", java.util.regex.Matcher.quoteReplacement(target)));
                h.runPending();
                edge.server.runPendingTasks();
                assertThat(edge.rawOut()).as(target).startsWith("HTTP/1.1 400 Bad Request\r\n");
                assertThat(h.calls).as("never forwarded").isEmpty();
            }
        }
    }

    /** An HTTP/1.0 trigger that asked to keep its connection is told it is kept (RFC 9112 §9.3). */
    @Test
    void anHttp10KeepAliveTriggerIsAnsweredWithKeepAliveRegression() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
            edge.send(post("USER_NEW", VIEWER).replaceFirst("HTTP/1.1\r\n", "HTTP/1.0\r\nConnection: keep-alive\r\n"));
            h.only().answer(200, "true");
            h.runPending();
            edge.server.runPendingTasks();
            assertThat(edge.rawOut()).containsIgnoringCase("\r\nconnection: keep-alive\r\n");
            assertThat(edge.server.isOpen()).isTrue();
        }
    }

    private static void idle(TriggerHarness h, Edge edge, long seconds) {
        h.time.advance(seconds, java.util.concurrent.TimeUnit.SECONDS);
        edge.server.runScheduledPendingTasks();
    }

    /**
     * Regression: when mistguard had no direct memory left to read a trigger, the connection was
     * closed without an answer. Mist now gets a 503 {@code out-of-memory} (which it takes as
     * catalyst-api failing, as it would a close), and the connection closes.
     */
    @Test
    void aTriggerMistguardHasNoMemoryToReadIsAnswered503Regression() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
            edge.send("POST /api/mist/trigger HTTP/1.1\r\nHost: x\r\nX-Trigger: USER_NEW\r\nContent-Length: 500\r\n\r\nvid");
            edge.server.pipeline().fireExceptionCaught(new OutOfMemoryError("Cannot reserve 1048576 bytes"));
            edge.server.runPendingTasks();

            FullHttpResponse r = edge.answer();
            try {
                assertThat(r.status().code()).isEqualTo(503);
                assertThat(r.headers().get("Mistguard-Decision")).isEqualTo("rejected; reason=out-of-memory");
                assertThat(r.headers().get("Connection")).isEqualTo("close");
            } finally {
                r.release();
            }
            assertThat(edge.server.isOpen()).isFalse();
            assertThat(h.calls).isEmpty();
        }
    }

    /**
     * Finding 23: the 413 had no Mistguard-Decision and left the connection open. A non-blocking
     * trigger's (a blocking one gets its fallback: OversizedBlockingTriggerFailsOpenThroughMistRegressionTest).
     */
    @Test
    void oversizedTriggerBodyGets413WithItsDecisionAndTheConnectionClosed() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
            edge.send(post("PUSH_END", "x".repeat(1025)));

            FullHttpResponse r = edge.answer();
            try {
                assertThat(r.status().code()).isEqualTo(413);
                assertThat(r.headers().get("Mistguard-Decision")).isEqualTo("rejected; reason=body-too-large");
                assertThat(r.headers().get("Mistguard-Route")).isEqualTo("PUSH_END");
                assertThat(r.headers().get("Connection")).isEqualTo("close");
            } finally {
                r.release();
            }
            assertThat(edge.server.isOpen()).as("framing can no longer be trusted").isFalse();
            assertThat(h.calls).isEmpty();
        }
    }

    /**
     * "An answer written ahead of the one owed to an earlier request": a trigger pipelined behind one
     * still being answered got its 413 (or 417, or 100 Continue) at once, ahead of the earlier
     * answer, which was then lost as the connection closed.
     */
    @Test
    void aRefusalOfAPipelinedTriggerIsNotWrittenAheadOfTheEarlierAnswerRegression() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
            edge.send(post("USER_NEW", VIEWER) + post("PUSH_END", "x".repeat(1025)));
            assertThat(edge.rawOut()).as("nothing before the first trigger's answer").isEmpty();

            h.only().answer(200, "true");
            h.runPending();
            edge.server.runPendingTasks();
            String out = edge.rawOut();
            assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\n\r\ntrueHTTP/1.1 413 ")
                    .containsIgnoringCase("Mistguard-Decision: rejected; reason=body-too-large");
            assertThat(edge.server.isOpen()).isFalse();
            assertThat(h.calls).hasSize(1);
        }
    }

    /** The same for an expectation other than 100-continue, whose 417 also lacked Mistguard-Decision. */
    @Test
    void anUnsupportedExpectationOfAPipelinedTriggerGetsItsOwn417InItsTurnRegression() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
            edge.send(post("USER_NEW", VIEWER) + post("USER_NEW", VIEWER, "Expect: 200-ok"));
            assertThat(edge.rawOut()).isEmpty();

            h.only().answer(200, "true");
            h.runPending();
            edge.server.runPendingTasks();
            String out = edge.rawOut();
            assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\n\r\ntrueHTTP/1.1 417 ")
                    .containsIgnoringCase("Mistguard-Decision: rejected; reason=expectation-failed");
            assertThat(edge.server.isOpen()).isFalse();
        }
    }

    /**
     * Found by review: a refusal after one that closed the connection in the same read (a 413, then
     * a bad expectation) was counted and logged, though only the first reached Mist.
     */
    @Test
    void aRefusalAfterTheConnectionClosedIsNeitherCountedNorLoggedRegression() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h);
             LogCapture log = LogCapture.of("mistguard.access", Level.INFO)) {
            edge.send(post("USER_NEW", "x".repeat(1025)) + post("USER_NEW", VIEWER, "Expect: foo"));

            assertThat(edge.rawOut().split("HTTP/1.1 ", -1)).as("one answer").hasSize(2);
            assertThat(h.answered).hasSize(1);
            assertThat(log.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                    .contains("body-too-large");
        }
    }

    @Test
    void aContinueForAPipelinedTriggerIsWrittenAfterTheEarlierAnswerRegression() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
            String second = post("USER_NEW", VIEWER, "Expect: 100-continue");
            int bodyAt = second.indexOf("\r\n\r\n") + 4;
            edge.send(post("USER_NEW", VIEWER) + second.substring(0, bodyAt));
            assertThat(edge.rawOut()).isEmpty();

            h.only().answer(200, "true");
            h.runPending();
            edge.server.runPendingTasks();
            assertThat(edge.rawOut()).startsWith("HTTP/1.1 200 OK\r\n")
                    .endsWith("\r\n\r\ntrueHTTP/1.1 100 Continue\r\n\r\n");
            edge.send(second.substring(bodyAt));
            assertThat(h.calls).hasSize(2);
            assertThat(edge.server.isOpen()).isTrue();
        }
    }

    /** Finding 23: a header block over the limit got 400, not 431. */
    @Test
    void oversizedHeaderBlockGets431AndTheConnectionClosed() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
            edge.send(post("USER_NEW", "a", "X-Big: " + "b".repeat(20 * 1024)));

            FullHttpResponse r = edge.answer();
            try {
                assertThat(r.status().code()).isEqualTo(431);
                assertThat(r.headers().get("Mistguard-Decision")).isEqualTo("rejected; reason=header-too-large");
            } finally {
                r.release();
            }
            assertThat(edge.server.isOpen()).isFalse();
        }
    }

    /**
     * Finding 1, at run time: a trigger that already passed this listener (triggers.upstream leading
     * back to it through another hop) is answered 508 instead of being forwarded again; every request
     * forwarded carries this listener's id in Mistguard-Via.
     */
    /**
     * Regression (a fresh review): the trigger went on to catalyst-api as HTTP/1.1 without Host when
     * Mist sent HTTP/1.0 without one, or named Host in Connection; catalyst-api's Go server answers such
     * a request 400 and the trigger fell back. And an HTTP/1.0 connection was kept open.
     */
    @Test
    void aTriggerAlwaysReachesCatalystApiWithAHostRegression() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
            edge.send(post("USER_NEW", VIEWER, "Connection: Host").replace("Host: x\r\n", "Host: mist:4242\r\n"));
            assertThat(h.calls.get(0).request.headers().get("Host")).isEqualTo("mist:4242");
            h.calls.get(0).answer(200, "true");
            h.runPending();
            edge.server.runPendingTasks();
            edge.answer().release();
        }
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
            edge.send(post("USER_NEW", VIEWER).replace("HTTP/1.1\r\nHost: x\r\n", "HTTP/1.0\r\n"));
            assertThat(h.calls.get(0).request.headers().get("Host")).as("present, empty").isEmpty();
            assertThat(h.calls.get(0).request.protocolVersion()).isEqualTo(io.netty.handler.codec.http.HttpVersion.HTTP_1_1);
            h.calls.get(0).answer(200, "true");
            h.runPending();
            edge.server.runPendingTasks();
            edge.answer().release();
            assertThat(edge.server.isOpen()).as("HTTP/1.0 without keep-alive is closed").isFalse();
        }
    }

    @Test
    void selfLoopThroughAnotherHopIsCutByTheViaHeader() {
        try (TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
            edge.send(post("USER_NEW", VIEWER));
            TriggerHarness.Call forwarded = h.only();
            String via = forwarded.request.headers().get("Mistguard-Via");
            assertThat(via).isEqualTo(h.service.via());

            // The loop brings the same request back to the listener, with the header it was sent with.
            edge.send(post("USER_NEW", VIEWER, "Mistguard-Via: 10.1.1.1-proxy, " + via));
            forwarded.answer(200, "true");
            h.runPending();
            edge.server.runPendingTasks();

            FullHttpResponse first = edge.answer();
            FullHttpResponse looped = edge.answer();
            try {
                assertThat(first.headers().get("Mistguard-Decision")).isEqualTo("proxied");
                assertThat(looped.status().code()).isEqualTo(508);
                assertThat(looped.headers().get("Mistguard-Decision")).isEqualTo("rejected; reason=loop-detected");
            } finally {
                first.release();
                looped.release();
            }
            assertThat(h.calls).as("the looped request was not forwarded again").hasSize(1);
        }
    }

    /**
     * The fault "an answer that cannot have content is sent with content", on the trigger listener: a
     * HEAD's answer goes out as a head only (Netty's server codec drops the body of an answer to HEAD),
     * so the next answer on Mist's connection stays framed, and the access log counts no body bytes.
     */
    @Test
    void anAnswerToHeadGoesOutWithoutItsBodyAndIsLoggedWithNoBytesRegression() throws Exception {
        try (LogCapture log = LogCapture.of("mistguard.access", Level.INFO);
             TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
            edge.send("HEAD /api/mist/trigger HTTP/1.1\r\nHost: x\r\nX-Trigger: USER_NEW\r\n\r\n");
            h.only().answer(200, "true");
            h.runPending();
            edge.server.runPendingTasks();

            String out = edge.rawOut();
            assertThat(out).startsWith("HTTP/1.1 200 ").contains("\r\ncontent-length: 4\r\n")
                    .as("the head and nothing after it").endsWith("\r\n\r\n");
            List<ILoggingEvent> lines = log.events();
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0).getFormattedMessage()).contains("decision=proxied status=200 bytes=0 ")
                    .contains("method=HEAD");
        }
    }

    /** The listener's own 413 to a HEAD: sent head-only by the codec, so logged with no body bytes. */
    @Test
    void theListenersOwnRefusalOfAHeadIsLoggedWithNoBytesRegression() throws Exception {
        try (LogCapture log = LogCapture.of("mistguard.access", Level.INFO);
             TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
            edge.send("HEAD /api/mist/trigger HTTP/1.1\r\nHost: x\r\nX-Trigger: PUSH_END\r\nContent-Length: 2000\r\n\r\n");

            assertThat(edge.rawOut()).startsWith("HTTP/1.1 413 ").endsWith("\r\n\r\n");
            assertThat(log.events()).singleElement().satisfies(line -> assertThat(line.getFormattedMessage())
                    .contains("status=413 bytes=0 ").contains("method=HEAD"));
        }
    }

    /** Finding 15: the listener wrote no access-log line, so nobody saw USER_NEW decided without catalyst-api. */
    @Test
    void everyTriggerDecisionWritesOneBoundedAccessLogLine() throws Exception {
        try (LogCapture log = LogCapture.of("mistguard.access", Level.INFO);
             TriggerHarness h = new TriggerHarness(config()); Edge edge = new Edge(h)) {
            edge.send(post("USER_NEW", VIEWER));
            h.advance(ms(1000)); // catalyst-api hangs: the fallback
            edge.server.runScheduledPendingTasks();
            FullHttpResponse r = edge.answer();
            try {
                assertThat(r.headers().get("Mistguard-Decision")).isEqualTo("fallback; reason=timeout");
            } finally {
                r.release();
            }
            edge.send(post("PUSH_END", "video+s1"));
            edge.answer().release();

            List<ILoggingEvent> lines = log.events();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0).getLevel()).isEqualTo(Level.WARN);
            assertThat(lines.get(0).getFormattedMessage()).isEqualTo("route=trigger:USER_NEW decision=fallback "
                    + "cause=timeout status=200 bytes=5 total_ms=1000 upstream_ms=1000 attempts=1 method=POST path=/api/mist/trigger");
            assertThat(lines.get(1).getLevel()).isEqualTo(Level.INFO);
            assertThat(lines.get(1).getFormattedMessage()).startsWith("route=trigger:PUSH_END decision=queued status=200");
            assertThat(lines).allSatisfy(e -> assertThat(e.getFormattedMessage())
                    .doesNotContain("sess-1", "secret", "10.0.0.7", "video+s1"));
        }
    }
}
