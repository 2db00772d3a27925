package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.fault.FaultRule;
import io.mistguard.sim.junit.SimMistExtension;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One sim-mist fault per test, over loopback: how a sick Mist looks to a caller of mistguard, and that
 * a connection whose exchange failed is closed and never reused.
 */
class UpstreamFailureIT {

    private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(700);
    /** Small, so that the oversized answer is refused long before the timeout on a busy machine. */
    private static final long MAX_RESPONSE_BYTES = 256 * 1024;
    private static final String PUSH_LIST = "/api2?command=%7B%22push_list%22%3Atrue%7D";
    /** The built-in {@code config-read} route's command: a read, with no cache. */
    private static final String CONFIG_READ = "{\"config\":{}}";

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(2, 2));
    private static TestProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = TestProxy.start(TestProxy.config(MIST.get().port(), REQUEST_TIMEOUT, MAX_RESPONSE_BYTES));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("hang", (UnaryOperator<FaultRule>) FaultRule::hang, 504, "timeout"),
                Arguments.of("slow first byte", (UnaryOperator<FaultRule>) r -> r.slowFirstByte(Duration.ofSeconds(3)),
                        504, "timeout"),
                Arguments.of("reset mid-response", (UnaryOperator<FaultRule>) FaultRule::resetMidResponse, 502,
                        "upstream-reset"),
                Arguments.of("body over max_response_bytes",
                        (UnaryOperator<FaultRule>) r -> r.hugeBody(1024 * 1024), 502, "response-too-large"));
    }

    @ParameterizedTest(name = "{0} -> {2} {3}")
    @MethodSource("faults")
    void faultIsAnsweredWithAReasonAndTheConnectionIsNotReused(String name, UnaryOperator<FaultRule> fault,
                                                               int status, String reason) throws Exception {
        MIST.get().faults().add(fault.apply(FaultRule.forCommand("push_list")).times(1));

        HttpResponse<String> failed = proxy.get(PUSH_LIST);

        assertThat(failed.statusCode()).isEqualTo(status);
        assertThat(failed.headers().firstValue("Mistguard-Decision")).hasValue("rejected; reason=" + reason);
        assertThat(failed.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(failed.body()).startsWith("mistguard: " + status).contains(reason).doesNotContain("{");

        long openedBefore = MIST.get().recording().connectionsOpened();
        HttpResponse<String> next = proxy.get(PUSH_LIST);
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(next.headers().firstValue("Mistguard-Decision")).hasValue("proxied");
        assertThat(MIST.get().recording().connectionsOpened()).as("a fresh upstream connection").isGreaterThan(openedBefore);
    }

    /** Found by review: the 502's body quoted the answer's whole head (Netty's message: status line and headers). */
    @Test
    void anAnswerOverTheLimitIsDescribedByTheLimitNotByItsHeadRegression() throws Exception {
        MIST.get().faults().add(FaultRule.forCommand("push_list").hugeBody(1024 * 1024).times(1));

        HttpResponse<String> failed = proxy.get(PUSH_LIST);

        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(failed.body()).contains("the answer's body is over max_response_bytes (")
                .doesNotContain("DefaultHttpResponse").doesNotContain("HTTP/1.1");
    }

    /**
     * Regression (found by review): a request on a reused connection that Mist read and then closed
     * without answering (a FIN, no reset) was sent once more on a fresh connection whatever its route,
     * so a write Mist may have run reached it twice, under {@code Mistguard-Attempts: 1}. Nothing
     * proves Mist did not run it (RFC 9112 §9.3.1), so a request not declared replayable (here the
     * catch-all's) is now a 502 and reaches Mist once.
     */
    @Test
    void aRequestMistReadOnAReusedConnectionAndClosedWithoutAnsweringIsNotSentAgainRegression() throws Exception {
        assertThat(proxy.get(PUSH_LIST).statusCode()).as("leaves a pooled connection").isEqualTo(200);
        MIST.get().faults().add(FaultRule.forCommand("push_list").closeWithoutResponse().times(1));

        HttpResponse<String> failed = proxy.get(PUSH_LIST);

        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(failed.headers().firstValue("Mistguard-Decision")).hasValue("rejected; reason=upstream-reset");
        assertThat(MIST.get().recording().commandCount("push_list")).as("the warm-up, then one try").isEqualTo(2);
    }

    /** As above, for a write route's command (the review's {@code stop_sessions}). */
    @Test
    void aWriteMistReadOnAReusedConnectionAndClosedWithoutAnsweringReachesMistOnceRegression() throws Exception {
        String write = "{\"stop_sessions\":\"video+stream0\"}";
        assertThat(proxy.http.send(PolicyProxies.command(proxy, write), HttpResponse.BodyHandlers.ofString())
                .statusCode()).as("leaves a pooled connection").isEqualTo(200);
        MIST.get().faults().add(FaultRule.forCommand("stop_sessions").closeWithoutResponse().times(1));

        HttpResponse<String> failed = proxy.http.send(PolicyProxies.command(proxy, write),
                                                      HttpResponse.BodyHandlers.ofString());

        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(failed.headers().firstValue("Mistguard-Route")).hasValue("stop-sessions");
        assertThat(failed.headers().firstValue("Mistguard-Attempts")).hasValue("1");
        assertThat(MIST.get().recording().commandCount("stop_sessions")).as("the warm-up, then one try").isEqualTo(2);
    }

    /** A read route's request may reach Mist twice: the same close sends it once more, on a fresh connection. */
    @Test
    void aReadMistClosedWithoutAnsweringOnAReusedConnectionIsSentOnceMoreOnAFreshConnection() throws Exception {
        assertThat(proxy.http.send(PolicyProxies.command(proxy, CONFIG_READ), HttpResponse.BodyHandlers.ofString())
                .statusCode()).as("leaves a pooled connection").isEqualTo(200);
        MIST.get().faults().add(FaultRule.forCommand("config").closeWithoutResponse().times(1));
        long openedBefore = MIST.get().recording().connectionsOpened();

        HttpResponse<String> answer = proxy.http.send(PolicyProxies.command(proxy, CONFIG_READ),
                                                      HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Mistguard-Route")).hasValue("config-read");
        assertThat(answer.headers().firstValue("Mistguard-Attempts")).as("one attempt, two connections").hasValue("1");
        assertThat(MIST.get().recording().connectionsOpened()).isEqualTo(openedBefore + 1);
        assertThat(MIST.get().recording().commandCount("config")).as("the warm-up, then two tries").isEqualTo(3);
    }

    @Test
    void hungMistIsAnsweredAtTheTimeoutAndItsConnectionIsClosed() throws Exception {
        MIST.get().faults().add(FaultRule.any().hang());
        long start = System.nanoTime();

        HttpResponse<String> response = proxy.get(PUSH_LIST);

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(REQUEST_TIMEOUT);
        assertThat(MIST.get().recording().awaitConnectionsClosedByPeer(1, Duration.ofSeconds(5)))
                .as("Mist saw mistguard close the hung connection").isTrue();
    }

    @Test
    void callerThatDisconnectsClosesItsUpstreamConnection() throws Exception {
        MIST.get().faults().add(FaultRule.any().hang());
        int port = proxy.mistguard.proxyAddress().getPort();
        try (Socket caller = new Socket(InetAddress.getLoopbackAddress(), port)) {
            caller.getOutputStream().write(("GET " + PUSH_LIST + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            caller.getOutputStream().flush();
            awaitRequests(1);
        }
        assertThat(MIST.get().recording().awaitConnectionsClosedByPeer(1, Duration.ofMillis(400)))
                .as("closed when the caller left, well before the 700 ms timeout").isTrue();
    }

    @Test
    void refusedConnectionIsA502() throws Exception {
        int closedPort = LoopbackPorts.free();
        try (TestProxy nowhere = TestProxy.inFrontOf(closedPort, REQUEST_TIMEOUT)) {
            HttpResponse<String> response = nowhere.get("/api2");
            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(response.headers().firstValue("Mistguard-Decision")).hasValue("rejected; reason=connect-refused");
            assertThat(response.body()).startsWith("mistguard: 502 Bad Gateway: connect-refused");
        }
    }

    @Test
    void mistsOwnErrorsAndMalformedBodiesPassThroughUntouched() throws Exception {
        MIST.get().faults().add(FaultRule.forCommand("push_list").status(500).times(1));
        HttpResponse<String> error = proxy.get(PUSH_LIST);
        assertThat(error.statusCode()).isEqualTo(500);
        assertThat(error.headers().firstValue("Mistguard-Decision")).hasValue("proxied");

        MIST.get().faults().add(FaultRule.forCommand("push_list").malformedJson().times(1));
        HttpResponse<String> malformed = proxy.get(PUSH_LIST);
        assertThat(malformed.statusCode()).isEqualTo(200);
        assertThat(malformed.headers().firstValue("Mistguard-Decision")).hasValue("proxied");
    }

    private static void awaitRequests(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (MIST.get().recording().requestCount() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(MIST.get().recording().requestCount()).isGreaterThanOrEqualTo(n);
    }
}
