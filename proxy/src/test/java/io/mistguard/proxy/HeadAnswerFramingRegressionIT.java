package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.mistguard.proxy.logging.LogCapture;
import io.mistguard.sim.fault.FaultRule;
import io.mistguard.sim.junit.SimMistExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault "an answer that cannot have content is sent with content", over real loopback sockets in
 * front of sim-mist: mistguard's own answers (a timeout's 504, an open breaker's 503) to a HEAD went
 * out with their body, which a caller reads as the start of the next answer on a kept-alive
 * connection (RFC 9110 §9.3.2, RFC 9112 §6.3). The {@code EmbeddedChannel} tier pins the same rule in
 * {@code ProxyPipelineTest}; this one drives the whole path, Mist hung and the breaker open, on one
 * connection whose later answers must still parse. The access log counts what the caller got of
 * each body: nothing, for the answers to HEAD.
 */
class HeadAnswerFramingRegressionIT {

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(1, 1));

    private static final String HEAD = "HEAD /api HTTP/1.1\r\nHost: mist\r\n\r\n";
    private static final String GET = "GET /api HTTP/1.1\r\nHost: mist\r\n\r\n";

    @Test
    void mistguardsOwnAnswersToHeadCarryNoContentSoTheNextAnswerStaysFramedAndTheLogCountsNoBytesRegression()
            throws Exception {
        try (LogCapture log = LogCapture.of("mistguard.access", Level.INFO);
             TestProxy proxy = PolicyProxies.start("""
                breakers:
                  mist: {failure_rate: 50, window_calls: 4, open_duration: 30s, half_open_trials: 1}
                routes:
                  - {name: catch-all, match: {}, kind: passthrough, timeout: 300ms, breaker: mist}
                """, MIST.get().port());
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            MIST.get().faults().add(FaultRule.any().hang().times(2));

            for (int i = 0; i < 2; i++) {
                RawHttpConnection.Response timedOut = client.exchangeHead(HEAD);
                assertThat(timedOut.status()).isEqualTo(504);
                assertThat(timedOut.header("Mistguard-Decision")).isEqualTo("rejected; reason=timeout");
            }
            assertThat(proxy.mistguard.policies().breaker("mist").state()).isEqualTo("open");

            RawHttpConnection.Response open = client.exchangeHead(HEAD);
            assertThat(open.status()).isEqualTo(503);
            assertThat(open.header("Mistguard-Decision")).isEqualTo("rejected; reason=breaker-open");

            // Had any of the three heads above carried its body, this would read that body as a status line.
            RawHttpConnection.Response next = client.exchange(GET);
            assertThat(next.status()).isEqualTo(503);
            assertThat(next.header("Mistguard-Decision")).isEqualTo("rejected; reason=breaker-open");
            assertThat(next.body()).startsWith("mistguard: 503").contains("breaker-open");
            assertThat(client.available()).as("nothing after the last answer").isZero();

            // A line is written once its answer's write has settled, which may be just after the caller read it.
            Await.until("four access lines", () -> log.events().size() >= 4);
            List<ILoggingEvent> lines = log.events();
            assertThat(lines).hasSize(4);
            assertThat(lines.subList(0, 3)).allSatisfy(line -> assertThat(line.getFormattedMessage())
                    .contains(" bytes=0 ").endsWith("method=HEAD path=/api"));
            assertThat(lines.get(3).getFormattedMessage())
                    .contains(" bytes=" + next.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + " ")
                    .endsWith("method=GET path=/api");
        }
    }
}
