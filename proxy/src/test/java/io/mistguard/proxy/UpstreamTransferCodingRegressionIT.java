package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The fault "a transfer coding is dropped, not undone", over real loopback sockets: an upstream's
 * answer with {@code Transfer-Encoding: gzip, chunked} had its chunks undone and the field removed
 * as hop-by-hop, so the caller got gzip bytes under a {@code Content-Length} and nothing saying they
 * were coded (RFC 9112 §6.1). mistguard undoes only {@code chunked}: such an answer is now a bad
 * response, 502. Requests with such a coding were refused with 400 already. Mist sends none; the
 * upstream here is a hand-written one.
 */
class UpstreamTransferCodingRegressionIT {

    @Test
    void anAnswerWithACodingMistguardCannotUndoIsABadResponseRegression() throws Exception {
        try (CannedUpstream upstream = new CannedUpstream("HTTP/1.1 200 OK\r\nContent-Type: text/json\r\n"
                     + "Transfer-Encoding: gzip, chunked\r\n\r\n4\r\n\u001f\u008b\b\u0000\r\n0\r\n\r\n");
             TestProxy proxy = TestProxy.inFrontOf(upstream.port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            RawHttpConnection.Response answer = client.exchange("GET /koekjes.json HTTP/1.1\r\nHost: mist\r\n\r\n");
            assertThat(answer.status()).isEqualTo(502);
            assertThat(answer.header("Mistguard-Decision")).isEqualTo("rejected; reason=bad-response");
            assertThat(answer.body()).contains("unsupported Transfer-Encoding: gzip");
        }
    }

    /**
     * Found by the review of that fix: a coding Netty does not read as chunked ({@code chunked ;q=1},
     * {@code gzip} alone) frames the body to a close a kept-alive upstream never sends, so the caller
     * got 504 after the whole budget, counted as Mist timing out. It is now refused at its head.
     */
    @Test
    void anAnswerWhoseCodingFramesItToACloseIsRefusedAtOnceNotTimedOutRegression() throws Exception {
        for (String coding : new String[] {"chunked ;q=1", "gzip"}) {
            try (CannedUpstream upstream = new CannedUpstream("HTTP/1.1 200 OK\r\nTransfer-Encoding: " + coding
                         + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
                 TestProxy proxy = TestProxy.inFrontOf(upstream.port(), Duration.ofSeconds(30));
                 RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
                long started = System.nanoTime();
                RawHttpConnection.Response answer = client.exchange("GET /koekjes.json HTTP/1.1\r\nHost: mist\r\n\r\n");
                assertThat(answer.status()).as(coding).isEqualTo(502);
                assertThat(answer.header("Mistguard-Decision")).isEqualTo("rejected; reason=bad-response");
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as("%s: not the 30 s budget", coding)
                        .isLessThan(Duration.ofSeconds(20));
            }
        }
    }
}
