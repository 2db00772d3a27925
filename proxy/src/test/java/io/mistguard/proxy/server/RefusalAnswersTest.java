package io.mistguard.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.mistguard.proxy.CallerResets;
import io.mistguard.proxy.config.LimitsConfig;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.logging.LogCapture;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * mistguard's own refusals on the proxy listener, whichever handler writes them (the decoder's
 * failures and bad commands in {@link ProxyHandler}, the aggregator's 413 and 417, the read timeout's
 * 408): each is logged on {@code mistguard.access} like a forwarded answer, and an answer to a
 * {@code HEAD} goes out as a head only ({@link CallerResponseEncoder}). Both were once true only of
 * what {@link ProxyHandler} wrote itself. Their order behind pipelined requests: {@link AnswerOrderTest}.
 */
class RefusalAnswersTest {

    private static final LimitsConfig LIMITS = new LimitsConfig(256, 512, 64, 10, Duration.ofSeconds(60));

    private EmbeddedProxyListener listener;
    private FakeForwarder forwarder;
    private EmbeddedChannel channel;
    private LogCapture accessLog;
    private ListenerRefusals refusals;

    @BeforeEach
    void setUp() throws Exception {
        listener = new EmbeddedProxyListener(LIMITS);
        forwarder = listener.forwarder;
        channel = listener.channel;
        accessLog = listener.accessLog;
        refusals = listener.refusals;
    }

    @AfterEach
    void tearDown() {
        listener.close();
    }

    /**
     * Found by review: a caller gone before its answer (it closed, or the shutdown grace ran out)
     * was logged with the status and size of the 503 nobody received. Nothing was sent: the line says
     * 499, nginx's "client closed request", and 0 bytes.
     */
    @Test
    void aCallerGoneBeforeItsAnswerIsLoggedAs499WithNoBytesRegression() {
        channel.writeInbound(bytes("GET /api HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertThat(forwarder.pending).hasSize(1);
        channel.close();
        assertThat(accessLog.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("decision=cancelled status=499 bytes=0 ");
    }

    /**
     * Found by review: a request the caller pipelined behind one being answered, and then left
     * before it was taken up, had no access-log line at all.
     */
    @Test
    void aPipelinedRequestTheCallerLeftBehindIsLoggedAs499Regression() {
        channel.writeInbound(bytes("GET /api HTTP/1.1\r\nHost: x\r\n\r\nGET /held?secret=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertThat(forwarder.pending).hasSize(1);
        channel.close();
        assertThat(accessLog.events()).extracting(ILoggingEvent::getFormattedMessage).hasSize(2)
                .anySatisfy(line -> assertThat(line).contains("decision=cancelled status=499 bytes=0 ")
                        .endsWith("path=/api"))
                .anySatisfy(line -> assertThat(line).isEqualTo("route=- decision=cancelled status=499 bytes=0 "
                        + "total_ms=0 upstream_ms=0 attempts=0 method=GET path=/held"));
    }

    /**
     * Found by review: in a drain, the answer in flight goes out with {@code Connection: close}, and
     * the request pipelined behind it, which mistguard never took up, was logged as if its caller had
     * left (499). mistguard closed, so it has no line.
     */
    @Test
    void aRequestLeftBehindByADrainHasNoLineRegression() {
        channel.writeInbound(bytes("GET /api HTTP/1.1\r\nHost: x\r\n\r\nGET /held HTTP/1.1\r\nHost: x\r\n\r\n"));
        channel.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        forwarder.answer(0, "{}");
        assertThat(readOutbound()).startsWith("HTTP/1.1 200 ").containsIgnoringCase("connection: close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(accessLog.events()).extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                .contains("decision=proxied status=200").endsWith("path=/api");
    }

    /**
     * Found by review: a caller's reset reaches the handler as a read failure, which was taken for
     * mistguard closing, so the requests it had pipelined lost their lines.
     */
    @Test
    void aCallerThatResetsGetsALineForEveryRequestItPipelinedRegression() {
        channel.writeInbound(bytes("GET /api HTTP/1.1\r\nHost: x\r\n\r\nGET /held HTTP/1.1\r\nHost: x\r\n\r\n"));
        channel.pipeline().fireExceptionCaught(new java.io.IOException("Connection reset by peer"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(accessLog.events()).extracting(ILoggingEvent::getFormattedMessage).hasSize(2)
                .anySatisfy(line -> assertThat(line).endsWith("path=/api"))
                .anySatisfy(line -> assertThat(line).endsWith("path=/held"));
    }

    /** Found by review: when a drain's grace ran out, the requests held were logged as their caller's leaving. */
    @Test
    void aDrainWhoseGraceRanOutLeavesNoLineForHeldRequestsRegression() {
        channel.writeInbound(bytes("GET /api HTTP/1.1\r\nHost: x\r\n\r\nGET /held HTTP/1.1\r\nHost: x\r\n\r\n"));
        channel.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        channel.close(); // the grace ran out: ProxyServer closes every connection
        assertThat(accessLog.events()).extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                .contains("decision=cancelled status=499").endsWith("path=/api");
    }

    /** Found by review: a request held behind one that asked to close would never be taken up: no line. */
    @Test
    void aCallerLeavingLogsItsHeldRequestsUpToOneThatAskedToClose() {
        channel.writeInbound(bytes("GET /api HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\nHost: x\r\n\r\n"));
        channel.close();
        assertThat(accessLog.events()).extracting(ILoggingEvent::getFormattedMessage).hasSize(2)
                .anySatisfy(line -> assertThat(line).endsWith("path=/api"))
                .anySatisfy(line -> assertThat(line).endsWith("path=/last"))
                .noneSatisfy(line -> assertThat(line).endsWith("path=/never"));
    }

    /**
     * Found by review: a request counted as in flight only until its answer was handed to the
     * socket, so a drain closed a slow reader's connection mid-body at once instead of within the
     * grace. It is in flight until its write settles.
     */
    @Test
    void aForwardedAnswerIsInFlightUntilItsWriteSettlesRegression() {
        java.util.List<io.netty.channel.ChannelPromise> unsettled = new java.util.ArrayList<>();
        channel.pipeline().addFirst(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
                io.netty.util.ReferenceCountUtil.release(msg);
                unsettled.add(promise); // a slow reader: the socket has not taken it yet
            }
        });
        channel.writeInbound(bytes("GET /api HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertThat(listener.inFlight.get()).isEqualTo(1);
        forwarder.answer(0, "{}");
        assertThat(listener.inFlight.get()).as("answered, not yet written").isEqualTo(1);
        assertThat(accessLog.events()).isEmpty();
        unsettled.forEach(io.netty.channel.ChannelPromise::setSuccess);
        assertThat(listener.inFlight.get()).isZero();
        assertThat(accessLog.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("decision=proxied status=200");
    }

    /** A request pipelined behind one that closes the connection is never taken up: no line. */
    @Test
    void aRequestPipelinedBehindOneThatClosesHasNoLine() {
        channel.writeInbound(bytes("GET /api HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                + "GET /after HTTP/1.1\r\nHost: x\r\n\r\n"));
        forwarder.answer(0, "{}");
        assertThat(readOutbound()).startsWith("HTTP/1.1 200 ");
        assertThat(channel.isOpen()).isFalse();
        assertThat(accessLog.events()).extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                .contains("decision=proxied status=200").endsWith("path=/api");
    }

    /**
     * Found by review: the access-log line was written when the answer was handed to the socket, so
     * a caller that reset the connection while its answer was being written was logged with the
     * answer's status and every byte of its body. The line now waits for the write.
     */
    @Test
    void aForwardedAnswerWhoseWriteFailsIsLoggedAs499NotAsSentRegression() {
        failEveryWrite();
        channel.writeInbound(bytes("GET /api HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertThat(accessLog.events()).isEmpty();
        forwarder.answer(0, "{\"streams\":[]}");
        assertThat(accessLog.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("decision=proxied status=499 bytes=0 ");
    }

    /** As {@link #aForwardedAnswerWhoseWriteFailsIsLoggedAs499NotAsSentRegression}, for a refusal. */
    @Test
    void aRefusalWhoseWriteFailsIsLoggedAs499NotAsSentRegression() {
        failEveryWrite();
        channel.writeInbound(bytes("TRACE / HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertThat(accessLog.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("decision=method-not-allowed status=499 bytes=0 ");
    }

    /** The caller's connection reset under every write: nothing reaches it. */
    private void failEveryWrite() {
        channel.pipeline().addFirst(CallerResets.EVERY_WRITE);
    }

    /** "A refusal writes no access-log line" and is counted nowhere: every kind the listener makes, from every handler. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.mistguard.proxy.server.ProxyPipelineTest#refusedRequests")
    void everyRefusalWritesOneAccessLogLineRegression(String name, String raw, String statusLine, String bodyPart) {
        channel.writeInbound(bytes(raw));
        String out = readOutbound();

        int status = Integer.parseInt(statusLine.substring(0, 3));
        assertThat(out).startsWith("HTTP/1.1 " + statusLine);
        List<ILoggingEvent> lines = accessLog.events();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).getLevel()).isEqualTo(Level.INFO);
        assertThat(lines.get(0).getFormattedMessage())
                .startsWith("route=- decision=" + decisionToken(out) + " status=" + status + " bytes=" + bodyLength(out)
                        + " total_ms=0 upstream_ms=0 attempts=0 method=");
        for (Decision reason : Decision.listenerRefusals()) {
            assertThat(refusals.count(reason)).as(reason.token())
                    .isEqualTo(reason.token().equals(decisionToken(out)) ? 1 : 0);
        }
    }

    /**
     * Found by review: a refusal after one that closed the connection in the same read (a 405, then an
     * oversized body or a bad expectation pipelined behind it) was logged and counted, though only
     * the first reached the caller.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "oversized body behind a 405 | Content-Length: 100",
            "bad expectation behind a 405 | Expect: 200-ok"})
    void aRefusalAfterTheConnectionClosedIsNeitherLoggedNorCountedRegression(String name, String field) {
        channel.writeInbound(bytes("TRACE / HTTP/1.1\r\nHost: x\r\n\r\nPOST /api HTTP/1.1\r\nHost: x\r\n"
                + field + "\r\n" + (field.startsWith("Expect") ? "Content-Length: 2\r\n\r\n{}" : "\r\n")));

        assertThat(readOutbound()).startsWith("HTTP/1.1 405 ");
        assertThat(accessLog.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("decision=method-not-allowed");
        for (Decision reason : Decision.listenerRefusals()) {
            assertThat(refusals.count(reason)).as(reason.token())
                    .isEqualTo(reason == Decision.METHOD_NOT_ALLOWED ? 1 : 0);
        }
    }

    /** "An answer to HEAD is sent with content", for refusals written before the request is whole. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "body over the limit | Content-Length: 100\\r\\n\\r\\n" + "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb | 413 | body-too-large",
            "body over the limit announced with Expect: 100-continue | Expect: 100-continue\\r\\nContent-Length: 100\\r\\n\\r\\n | 413 | body-too-large",
            "chunked body over the limit | Transfer-Encoding: chunked\\r\\n\\r\\n50\\r\\n" + "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\\r\\n0\\r\\n\\r\\n | 413 | body-too-large",
            "an expectation other than 100-continue | Expect: 200-ok\\r\\nContent-Length: 2\\r\\n\\r\\n{} | 417 | expectation-failed"})
    void aRefusalOfAHeadWrittenBeforeTheRequestIsWholeIsSentWithoutContentRegression(String name, String rest,
                                                                                      int status, String token) {
        channel.writeInbound(bytes("HEAD /api HTTP/1.1\r\nHost: x\r\n" + rest.replace("\\r\\n", "\r\n")));

        String out = readOutbound();
        assertThat(out).startsWith("HTTP/1.1 " + status + " ").contains("connection: close")
                .containsIgnoringCase("Mistguard-Decision: rejected; reason=" + token)
                .as("the head and nothing after it").endsWith("\r\n\r\n");
        assertThat(out.toLowerCase()).as("the length a GET would get").containsPattern("content-length: [1-9]");
        assertThat(channel.isOpen()).isFalse();
        assertThat(forwarder.seen).isEmpty();
        assertThat(accessLog.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("decision=" + token, "status=" + status, " bytes=0 ", "method=HEAD path=/api");
    }

    /** A HEAD whose body stops coming: a 408 with no content, logged with the request's method and path. */
    @Test
    void aHeadWhoseBodyIsLateGetsA408WithoutContentAndALineRegression() {
        channel.freezeTime();
        channel.writeInbound(bytes("HEAD /api?secret=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345"));
        channel.advanceTimeBy(LimitsConfig.DEFAULT_READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        String out = readOutbound();
        assertThat(out).startsWith("HTTP/1.1 408 Request Timeout\r\n").endsWith("\r\n\r\n");
        assertThat(refusals.count(Decision.REQUEST_TIMEOUT)).isEqualTo(1);
        assertThat(accessLog.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .isEqualTo("route=- decision=request-timeout status=408 bytes=0 total_ms="
                        + LimitsConfig.DEFAULT_READ_TIMEOUT.toMillis()
                        + " upstream_ms=0 attempts=0 method=HEAD path=/api");
    }

    /** A head that never comes whole: its 408 keeps its content (no request to answer head-only) and logs "-". */
    @Test
    void aHeadThatNeverComesWholeIsLoggedWithoutMethodOrPath() {
        channel.freezeTime();
        channel.writeInbound(bytes("HEAD /api HTTP/1.1\r\nHost: x\r\nX-Slow: a"));
        channel.advanceTimeBy(LimitsConfig.DEFAULT_READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        String out = readOutbound();
        assertThat(out).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("request-timeout");
        assertThat(bodyLength(out)).isPositive();
        assertThat(accessLog.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .isEqualTo("route=- decision=request-timeout status=408 bytes=" + bodyLength(out) + " total_ms="
                        + LimitsConfig.DEFAULT_READ_TIMEOUT.toMillis() + " upstream_ms=0 attempts=0 method=- path=-");
    }

    /**
     * The encoder takes one request per final answer, in order: a GET after a HEAD keeps its body, and
     * an interim 100 Continue takes none, so the final answer after it is matched to its own request.
     */
    @Test
    void answersAreMatchedToTheirRequestsAcrossHeadsAndInterimAnswers() {
        channel.writeInbound(bytes("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n"));
        forwarder.answer(0, "{\"a\":1}");
        assertThat(readOutbound()).as("head only").endsWith("\r\n\r\n");

        channel.writeInbound(bytes("POST /b HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
        assertThat(readOutbound()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        channel.writeInbound(bytes("{}"));
        forwarder.answer(1, "{\"b\":2}");
        assertThat(readOutbound()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n{\"b\":2}");

        channel.writeInbound(bytes("GET /c HTTP/1.1\r\nHost: x\r\n\r\nHEAD /d HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /e HTTP/1.1\r\nHost: x\r\n\r\n"));
        forwarder.answer(2, "{\"c\":3}");
        forwarder.answer(3, "{\"d\":4}");
        forwarder.answer(4, "{\"e\":5}");
        String out = readOutbound();
        assertThat(out).contains("\r\n\r\n{\"c\":3}HTTP/1.1 200 OK\r\n").doesNotContain("{\"d\":4}")
                .endsWith("\r\n\r\n{\"e\":5}");
        assertThat(channel.isOpen()).isTrue();
    }

    /**
     * Regression: when mistguard had no direct memory left to read a request (a read or the
     * aggregator could not get a buffer: "Cannot reserve … direct buffer memory"), the connection was
     * closed without a word, after a {@code 100 Continue} had invited the body. The caller now gets a
     * 503 {@code out-of-memory}, counted and logged as the listener's other refusals, and the
     * connection closes after it.
     */
    @Test
    void aRequestMistguardHasNoMemoryToReadIsAnswered503Regression() {
        channel.writeInbound(bytes("POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 60\r\n\r\n{\"a\":"));
        channel.pipeline().fireExceptionCaught(
                new OutOfMemoryError("Cannot reserve 1048576 bytes of direct buffer memory"));

        String out = readOutbound();
        assertThat(out).startsWith("HTTP/1.1 503 ").containsIgnoringCase("connection: close")
                .containsIgnoringCase("Mistguard-Decision: rejected; reason=out-of-memory");
        assertThat(forwarder.seen).isEmpty();
        assertThat(refusals.count(Decision.REQUEST_OUT_OF_MEMORY)).isEqualTo(1);
        assertThat(accessLog.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .startsWith("route=- decision=out-of-memory status=503 ");
    }

    /**
     * Regression: a coalesced answer (its body shared on the heap) that found no direct memory to be
     * sent went out as a 200 head and then a close, logged as a 200 with every byte. It is a 503
     * out-of-memory on its route, logged so, and the connection stays usable.
     */
    @Test
    void aSharedAnswerWithNoDirectMemoryToSendIsA503NotACutShort200Regression() {
        channel.writeInbound(bytes("GET /api HTTP/1.1\r\nHost: x\r\n\r\n"));
        channel.config().setAllocator(io.mistguard.proxy.NoDirectMemory.ALLOCATOR);
        io.netty.handler.codec.http.FullHttpResponse shared = new io.netty.handler.codec.http.DefaultFullHttpResponse(
                io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpResponseStatus.OK,
                Unpooled.wrappedBuffer("{\"streams\":[]}".getBytes(StandardCharsets.UTF_8)));
        shared.headers().setInt("Content-Length", 14);
        forwarder.pending.get(0).setSuccess(io.mistguard.proxy.exchange.Answer.of(shared, Decision.COALESCED)
                .onRoute("get-state"));

        String out = readOutbound();
        assertThat(out).startsWith("HTTP/1.1 503 ").containsIgnoringCase("Mistguard-Decision: rejected; reason=out-of-memory")
                .containsIgnoringCase("Mistguard-Route: get-state").doesNotContain("streams");
        assertThat(accessLog.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .startsWith("route=get-state decision=out-of-memory status=503 ");
        assertThat(channel.isOpen()).isTrue();
    }

    /** With an answer still owed on the connection, a 503 would leave before it: the connection only closes. */
    @Test
    void noMemoryToReadWhileAnAnswerIsOwedClosesTheConnectionRegression() {
        channel.writeInbound(bytes("GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /api HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: 60\r\n\r\n{"));
        assertThat(forwarder.pending).hasSize(1);
        channel.pipeline().fireExceptionCaught(new OutOfMemoryError("Cannot reserve 1048576 bytes"));

        assertThat(channel.isOpen()).isFalse();
        assertThat(refusals.count(Decision.REQUEST_OUT_OF_MEMORY)).isZero();
    }

    /** The reason token of the answer's {@code Mistguard-Decision: rejected; reason=<token>}. */
    private static String decisionToken(String answer) {
        String after = answer.split("(?i)mistguard-decision: rejected; reason=", 2)[1];
        return after.substring(0, after.indexOf("\r\n"));
    }

    private static int bodyLength(String answer) {
        return answer.length() - (answer.indexOf("\r\n\r\n") + 4);
    }

    private String readOutbound() {
        return listener.written();
    }

    private static ByteBuf bytes(String raw) {
        return Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1);
    }
}
