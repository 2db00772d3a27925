package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The fault "a length the sender never gave is made up", over real loopback sockets: an upstream's
 * answer to a {@code HEAD} without a {@code Content-Length} (RFC 9110 §9.3.2 lets a server leave it
 * out) reached the caller with {@code content-length: 0}, telling it the resource is empty. The
 * aggregator made one up for every answer without one; a 304's was fixed before this, a HEAD's here.
 * The upstream is a hand-written one, since Mist 3.10 always sends the field.
 */
class HeadAnswerLengthRegressionIT {

    @Test
    void anAnswerToHeadWithoutContentLengthReachesTheCallerWithoutOneRegression() throws Exception {
        try (CannedUpstream upstream = new CannedUpstream("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n");
             TestProxy proxy = TestProxy.inFrontOf(upstream.port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            RawHttpConnection.Response head = client.exchangeHead("HEAD /koekjes.json HTTP/1.1\r\nHost: mist\r\n\r\n");
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Type")).isEqualTo("application/json");
            assertThat(head.header("Content-Length")).as("none was sent, so none is made up").isNull();

            RawHttpConnection.Response again = client.exchangeHead("HEAD /koekjes.json HTTP/1.1\r\nHost: mist\r\n\r\n");
            assertThat(again.status()).as("the connection stays framed").isEqualTo(200);
            assertThat(again.header("Content-Length")).isNull();
        }
    }
}
