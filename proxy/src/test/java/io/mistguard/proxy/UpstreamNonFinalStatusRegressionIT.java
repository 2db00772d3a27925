package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.fault.FaultRule;
import io.mistguard.sim.junit.SimMistExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regression (found by a fresh review against sim-mist): Mist's {@code 101 Switching Protocols} to a
 * request that asked for no upgrade was relayed to the caller as the final answer, {@code proxied}. A
 * client must then stop speaking HTTP on the connection (RFC 9110 §15.2.2), and mistguard's own
 * framing slipped: the 1xx did not take its request's method off the encoder's queue, so the next
 * request's answer was framed as a {@code HEAD}'s, its body missing and the connection out of step.
 * Such an answer is now a malformed one: 502 {@code bad-response}, the upstream connection closed.
 */
class UpstreamNonFinalStatusRegressionIT {

    private static final String PUSH_LIST = "/api2?command=%7B%22push_list%22%3Atrue%7D";
    private static final String ACTIVE_STREAMS = "/api2?command=%7B%22active_streams%22%3Atrue%7D";

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(1, 1));

    @AfterEach
    void clearFaults() {
        MIST.get().faults().clear();
    }

    @Test
    void a101ToAHeadIsABadResponseAndThePipelinedGetKeepsItsBody() throws Exception {
        MIST.get().faults().add(FaultRule.forCommand("push_list").status(101));
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            client.send("HEAD " + PUSH_LIST + " HTTP/1.1\r\nHost: mist\r\n\r\n"
                        + "GET " + ACTIVE_STREAMS + " HTTP/1.1\r\nHost: mist\r\n\r\n");

            RawHttpConnection.Response refused = client.readHead();
            assertThat(refused.status()).isEqualTo(502);
            assertThat(refused.header("Mistguard-Decision")).isEqualTo("rejected; reason=bad-response");
            RawHttpConnection.Response next = client.read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).as("framed as a GET's answer, body and all").contains("\"active_streams\"")
                                   .hasSize(Integer.parseInt(next.header("Content-Length")));
        }
    }

    /**
     * Regression (a second fresh review): Mist's own 101, {@code 101 Websocket away!} with
     * {@code Upgrade: websocket} and no {@code Sec-WebSocket-Accept}, is read by Netty's codec as a
     * Hixie-76 handshake whose body runs to the close: the caller waited for the route's timeout and
     * Mist's breaker counted a timeout. It is a bad response at once.
     */
    @Test
    void mistsOwn101ShapeIsABadResponseAtOnceNotATimeout() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread stand = new Thread(() -> answerEveryRequestWithMists101(upstream), "mist-101");
            stand.setDaemon(true);
            stand.start();
            try (TestProxy proxy = TestProxy.inFrontOf(upstream.getLocalPort(), Duration.ofSeconds(5));
                 RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
                RawHttpConnection.Response refused = client.exchange("GET " + PUSH_LIST + " HTTP/1.1\r\nHost: mist\r\n\r\n");
                assertThat(refused.status()).isEqualTo(502);
                assertThat(refused.header("Mistguard-Decision")).as("not the route's timeout (504 timeout)")
                                                            .isEqualTo("rejected; reason=bad-response");
            }
        }
    }

    /** Reads each request head and answers it as Mist 3.10 answers a WebSocket upgrade; never closes. */
    private static void answerEveryRequestWithMists101(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                                                                             StandardCharsets.ISO_8859_1));
                String line;
                while ((line = in.readLine()) != null && !line.isEmpty()) {
                    // the request head
                }
                socket.getOutputStream().write(("HTTP/1.1 101 Websocket away!\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Test
    void a101ToAGetIsABadResponseAndTheConnectionGoesOnInStep() throws Exception {
        MIST.get().faults().add(FaultRule.forCommand("push_list").status(101));
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            RawHttpConnection.Response refused = client.exchange("GET " + PUSH_LIST + " HTTP/1.1\r\nHost: mist\r\n\r\n");
            assertThat(refused.status()).isEqualTo(502);
            assertThat(refused.body()).contains("101 Switching Protocols");

            RawHttpConnection.Response next = client.exchange("GET " + ACTIVE_STREAMS + " HTTP/1.1\r\nHost: mist\r\n\r\n");
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).contains("\"active_streams\"");
        }
    }
}
