package io.mistguard.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.config.LimitsConfig;
import io.mistguard.proxy.config.TrustedPeers;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.logging.LogCapture;
import io.mistguard.proxy.net.RequestAggregator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * "An answer written ahead of the one owed to an earlier request": the aggregator wrote its 413, 417
 * and 100 Continue the moment a pipelined request's head arrived, while the request before it was
 * still with Mist. The earlier answer was lost as the connection closed, and the encoder framed the
 * refusal by the earlier request's method. Now {@link RequestAggregator} hands each of them to
 * {@link ProxyHandler}, which writes it in its request's turn.
 */
class AnswerOrderTest {

    private static final LimitsConfig LIMITS = new LimitsConfig(256, 512, 64, 10, Duration.ofSeconds(60));
    private static final String OVER_THE_LIMIT = "b".repeat(100);

    private FakeForwarder forwarder;
    private EmbeddedChannel channel;
    private LogCapture accessLog;
    private ListenerRefusals refusals;

    @BeforeEach
    void setUp() throws Exception {
        accessLog = LogCapture.of("mistguard.access", Level.INFO);
        forwarder = new FakeForwarder();
        refusals = new ListenerRefusals();
        ProxyServices services = new ProxyServices(new CommandClassifier(), forwarder,
                new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE), new AtomicInteger(), true,
                TrustedPeers.defaults(), null, refusals);
        channel = new EmbeddedChannel(false, false);
        channel.pipeline().addLast(new ProxyChannelInitializer(LIMITS, new ConnectionLimiter(10, refusals), services));
        channel.register();
    }

    @AfterEach
    void tearDown() {
        accessLog.close();
        assertFalse(channel.finishAndReleaseAll(), "nothing left unread or unreleased");
    }

    /**
     * The review's two inputs and their kin: whatever the aggregator refuses waits for the answer
     * owed before it, is framed by its own request's method, and is logged with what was sent.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "GET pending, HEAD over the limit by Content-Length | GET | HEAD /big HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 100\\r\\n\\r\\n{BODY} | 413 | BODY_TOO_LARGE",
            "HEAD pending, GET with an unknown expectation | HEAD | GET /api HTTP/1.1\\r\\nHost: x\\r\\nExpect: foo\\r\\n\\r\\n | 417 | EXPECTATION_FAILED",
            "GET pending, POST over the limit announced with Expect: 100-continue | GET | POST /api HTTP/1.1\\r\\nHost: x\\r\\nExpect: 100-continue\\r\\nContent-Length: 100\\r\\n\\r\\n | 413 | BODY_TOO_LARGE",
            "HEAD pending, chunked body found over the limit | HEAD | POST /api HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n64\\r\\n{BODY}\\r\\n0\\r\\n\\r\\n | 413 | BODY_TOO_LARGE",
            "GET pending, HEAD with an expectation list | GET | HEAD /api HTTP/1.1\\r\\nHost: x\\r\\nExpect: 100-continue, foo\\r\\n\\r\\n | 417 | EXPECTATION_FAILED"})
    void aRefusalOfAPipelinedRequestIsNotWrittenAheadOfTheEarlierAnswerRegression(
            String name, String firstMethod, String second, int status, Decision decision) {
        String token = decision.token();
        String pipelined = second.replace("\\r\\n", "\r\n").replace("{BODY}", OVER_THE_LIMIT);
        channel.writeInbound(bytes(firstMethod + " /a HTTP/1.1\r\nHost: x\r\n\r\n" + pipelined));
        assertThat(readOutbound()).as("nothing before the first request's answer").isEmpty();

        forwarder.answer(0, "{\"a\":1}");
        String out = readOutbound();

        String first = firstMethod.equals("HEAD") ? "" : "{\"a\":1}";
        assertThat(out).startsWith("HTTP/1.1 200 OK\r\n");
        String refusal = out.substring(out.indexOf("\r\n\r\n") + 4 + first.length());
        assertThat(out).as("the first answer whole, with or without its body")
                .contains("\r\n\r\n" + first + "HTTP/1.1 " + status + " ");
        assertThat(refusal).containsIgnoringCase("Mistguard-Decision: rejected; reason=" + token)
                .contains("connection: close");
        boolean head = pipelined.startsWith("HEAD");
        int refusalBody = refusal.length() - (refusal.indexOf("\r\n\r\n") + 4);
        assertThat(refusalBody == 0).as("the refusal framed by its own request's method").isEqualTo(head);
        assertThat(channel.isOpen()).isFalse();
        assertThat(forwarder.seen).hasSize(1);
        assertThat(accessLog.events()).extracting(ILoggingEvent::getFormattedMessage)
                .satisfiesExactly(
                        line -> assertThat(line).contains("status=200", "method=" + firstMethod + " path=/a"),
                        line -> assertThat(line).contains("decision=" + token, "status=" + status,
                                " bytes=" + refusalBody + " ", "method=" + pipelined.substring(0, pipelined.indexOf(' '))));
        assertThat(refusals.count(decision)).isEqualTo(1);
    }

    /** The 100 Continue a pipelined request asks for goes out after the answers owed before it. */
    @Test
    void aContinueForAPipelinedRequestIsNotWrittenAheadOfTheEarlierAnswersRegression() {
        channel.writeInbound(bytes("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
        assertThat(readOutbound()).isEmpty();

        forwarder.answer(0, "{\"a\":1}");
        assertThat(readOutbound()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n{\"a\":1}");
        forwarder.answer(1, "{\"b\":2}");
        assertThat(readOutbound()).as("the 100 in its turn, after /b's answer")
                .startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n{\"b\":2}HTTP/1.1 100 Continue\r\n\r\n");

        channel.writeInbound(bytes("{}"));
        assertThat(forwarder.seen).hasSize(3);
        assertThat(forwarder.seen.get(2).headers()).as("the expectation is met here, not by Mist")
                .doesNotContainIgnoringCase("expect");
        forwarder.answer(2, "{\"c\":3}");
        assertThat(readOutbound()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n{\"c\":3}");
        assertThat(channel.isOpen()).isTrue();
    }

    /** A client that sent its body without waiting gets no 100 after the fact (RFC 9110 §10.1.1). */
    @Test
    void noContinueIsOwedOnceTheBodyCameWithoutIt() {
        channel.writeInbound(bytes("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
        channel.writeInbound(bytes("{}"));
        assertThat(readOutbound()).isEmpty();

        forwarder.answer(0, "{\"a\":1}");
        forwarder.answer(1, "{\"c\":3}");
        String out = readOutbound();
        assertThat(out).doesNotContain("100 Continue").endsWith("\r\n\r\n{\"c\":3}");
        assertThat(out.split("HTTP/1.1 200 OK", -1)).hasSize(3);
    }

    /** Nothing owed before it: the 100 goes out at once, as before. */
    @Test
    void aContinueWithNothingOwedBeforeItIsWrittenAtOnce() {
        channel.writeInbound(bytes("POST /c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
        assertThat(readOutbound()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        channel.writeInbound(bytes("{}"));
        forwarder.answer(0, "{}");
        assertThat(readOutbound()).startsWith("HTTP/1.1 200 OK\r\n");
    }

    private String readOutbound() {
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
    }

    private static ByteBuf bytes(String raw) {
        return Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1);
    }
}
