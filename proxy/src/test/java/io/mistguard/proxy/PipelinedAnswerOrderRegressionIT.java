package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.fault.FaultRule;
import io.mistguard.sim.junit.SimMistExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * "An answer written ahead of the one owed to an earlier request", over real loopback sockets: the
 * real mistguard in front of a sim-mist that takes its time with the first request. A request
 * pipelined behind it that mistguard refuses (body over the limit) or must say {@code 100 Continue}
 * to got that answer first, and the answer Mist gave the earlier request was lost.
 */
class PipelinedAnswerOrderRegressionIT {

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(1, 1));

    private static final String CONFIG = """
            limits: {max_body_bytes: 64}
            routes:
              - {name: catch-all, match: {}, kind: passthrough, timeout: 2s}
            """;

    @Test
    void aRefusalOfAPipelinedRequestComesAfterMistsAnswerToTheOneBeforeItRegression() throws Exception {
        MIST.get().faults().add(FaultRule.any().delay(Duration.ofMillis(300)).times(1));
        try (TestProxy proxy = PolicyProxies.start(CONFIG, MIST.get().port());
             RawHttpConnection caller = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            caller.send("GET /api HTTP/1.1\r\nHost: mist\r\n\r\n"
                        + "HEAD /big HTTP/1.1\r\nHost: mist\r\nContent-Length: 100\r\n\r\n" + "b".repeat(100));

            RawHttpConnection.Response first = caller.read();
            assertThat(first.status()).as("Mist's answer to the GET, first").isEqualTo(200);
            assertThat(first.header("Mistguard-Decision")).isEqualTo("proxied");
            RawHttpConnection.Response refusal = caller.readHead();
            assertThat(refusal.status()).isEqualTo(413);
            assertThat(refusal.header("Mistguard-Decision")).isEqualTo("rejected; reason=body-too-large");
            assertThat(caller.closedByServer()).as("nothing after the HEAD's head: the connection just ends").isTrue();
        } finally {
            MIST.get().faults().clear();
        }
    }

    @Test
    void aContinueForAPipelinedRequestComesAfterMistsAnswerToTheOneBeforeItRegression() throws Exception {
        MIST.get().faults().add(FaultRule.any().delay(Duration.ofMillis(300)).times(1));
        try (TestProxy proxy = PolicyProxies.start(CONFIG, MIST.get().port());
             RawHttpConnection caller = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            caller.send("GET /api HTTP/1.1\r\nHost: mist\r\n\r\n"
                        + "POST /api HTTP/1.1\r\nHost: mist\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");

            assertThat(caller.read().status()).as("Mist's answer to the GET, first").isEqualTo(200);
            assertThat(caller.readHead().status()).as("then the 100 Continue").isEqualTo(100);
            caller.send("{}");
            assertThat(caller.read().status()).isEqualTo(200);
        } finally {
            MIST.get().faults().clear();
        }
    }
}
