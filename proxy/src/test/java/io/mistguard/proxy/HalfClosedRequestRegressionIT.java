package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.junit.SimMistExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regression (issue: "half-closed requests get their answer"): a client that sends its request and
 * then shuts down its sending side ({@code shutdown(SHUT_WR)}: BusyBox {@code wget}, {@code nc}, many
 * health checks) got no answer at all, and Mist never saw the request. What arrived is answered, then
 * the connection is closed.
 */
class HalfClosedRequestRegressionIT {

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(1, 1));

    @Test
    void http10PrometheusJsonRequestFollowedByShutdownWriteIsAnswered() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            client.send("GET /koekjes.json HTTP/1.0\r\nHost: mist\r\n\r\n");
            client.shutdownOutput();
            RawHttpConnection.Response answer = client.read();
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).startsWith("{");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void getStatePostFollowedByShutdownWriteIsAnsweredAndReachesMist() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            client.send(RawHttpConnection.formCommand("/", MistCommands.GET_STATE));
            client.shutdownOutput();
            RawHttpConnection.Response answer = client.read();
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).contains("\"local\":true");
            assertThat(client.closedByServer()).isTrue();
            assertThat(MIST.get().recording().commandCount("active_streams")).isEqualTo(1);
        }
    }

    @Test
    void everyPipelinedRequestBeforeTheShutdownIsAnsweredInOrder() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            client.send(RawHttpConnection.formCommand("/api2", "{\"nuke_stream\":\"video+stream0\"}")
                        + "GET /koekjes.json HTTP/1.1\r\nHost: mist\r\n\r\n");
            client.shutdownOutput();
            RawHttpConnection.Response first = client.read();
            RawHttpConnection.Response second = client.read();
            assertThat(first.body()).contains("\"status\":\"OK\"");
            assertThat(second.body()).startsWith("{");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void idleKeepAliveConnectionWhoseClientShutsDownIsClosed() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            assertThat(client.exchange("GET /koekjes.json HTTP/1.1\r\nHost: mist\r\n\r\n").status()).isEqualTo(200);
            client.shutdownOutput();
            assertThat(client.closedByServer()).isTrue();
        }
    }

    /** Same class of fault on the admin listener: {@code nc} to {@code /admin/reload} got no answer. */
    @Test
    void halfClosedAdminRequestsAreAnsweredIncludingTheAsynchronousReload() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5))) {
            for (String request : new String[] {"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n",
                                                "POST /admin/reload HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"}) {
                try (RawHttpConnection client = new RawHttpConnection(proxy.mistguard.adminAddress().getPort())) {
                    client.send(request);
                    client.shutdownOutput();
                    RawHttpConnection.Response answer = client.read();
                    assertThat(answer.status()).as(request).isBetween(200, 499);
                    assertThat(client.closedByServer()).isTrue();
                }
            }
        }
    }

    /**
     * A half-closing client of a slow Mist gets an interim 100 Continue (the probe that tells a gone
     * client from a waiting one) and then its answer.
     */
    @Test
    void halfClosedClientOfASlowMistGetsItsAnswerAfterTheProbe() throws Exception {
        MIST.get().faults().add(io.mistguard.sim.fault.FaultRule.any().delay(Duration.ofMillis(700)).times(1));
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            client.send(RawHttpConnection.formCommand("/", MistCommands.GET_STATE));
            Thread.sleep(50); // a FIN well after the request: taken as a possible disconnect, so probed
            client.shutdownOutput();
            RawHttpConnection.Response answer = client.readFinal();
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).contains("\"local\":true");
        }
    }
}
