package io.mistguard.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** {@link HopByHopHeaders}: RFC 9110 §7.6.1's hop-by-hop fields, and every field {@code Connection} names. */
class HopByHopHeadersTest {

    @Test
    void everyFieldConnectionNamesGoesWhateverTheSpacingCaseOrEmptyTokens() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "X-Real-IP ,,keep-alive,\tx-custom-a,")
                .add("Connection", "X-Custom-B")
                .add("Connection", "")
                .add("X-Real-IP", "10.0.0.1").add("X-Custom-A", "a").add("X-Custom-B", "b")
                .add("Keep-Alive", "timeout=5").add("Content-Type", "text/plain");

        HopByHopHeaders.strip(headers);

        assertThat(headers.names()).containsExactly("Content-Type");
    }

    @Test
    void theAlwaysHopByHopFieldsGoEvenWhenConnectionNamesNone() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Proxy-Connection", "keep-alive").add("TE", "trailers").add("Transfer-Encoding", "chunked")
                .add("Upgrade", "websocket").add("Keep-Alive", "max=5").add("Host", "mist");

        HopByHopHeaders.strip(headers);

        assertThat(headers.names()).containsExactly("Host");
    }

    @Test
    void aTokenThatIsOnlyCommasAndBlanksRemovesNothingElse() {
        HttpHeaders headers = new DefaultHttpHeaders().add("Connection", ", ,").add("Host", "mist");

        HopByHopHeaders.strip(headers);

        assertThat(headers.names()).containsExactly("Host");
    }

    @Test
    void namesAreMatchedWhateverTheirCase() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("CONNECTION", "X-Hop").add("x-hop", "1").add("PROXY-CONNECTION", "close")
                .add("keep-ALIVE", "5").add("te", "trailers").add("TRANSFER-encoding", "chunked")
                .add("upGrade", "h2c").add("Host", "mist");

        HopByHopHeaders.strip(headers);

        assertThat(headers.names()).containsExactly("Host");
    }

    @Test
    void withoutHopByHopFieldsEveryFieldStaysInItsOrder() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Host", "mist").add("X-Real-IP", "10.0.0.1").add("Content-Type", "a")
                .add("Content-Type", "b").add("Connections", "not the field").add("T", "e");

        HopByHopHeaders.strip(headers);

        assertThat(headers.entries()).extracting(e -> e.getKey() + ": " + e.getValue()).containsExactly(
                "Host: mist", "X-Real-IP: 10.0.0.1", "Content-Type: a", "Content-Type: b",
                "Connections: not the field", "T: e");
    }

    /** A token naming an always-hop-by-hop field is not looked up on its own; the field still goes. */
    @Test
    void aConnectionTokenNamingAnAlwaysHopByHopFieldStillRemovesItButNothingElse() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Content-Type", "a").add("Connection", "Keep-Alive, TE").add("keep-alive", "timeout=5")
                .add("Connection", "upgrade").add("Upgrade", "h2c").add("Server", "mist");

        HopByHopHeaders.strip(headers);

        assertThat(headers.entries()).extracting(e -> e.getKey() + ": " + e.getValue())
                .containsExactly("Content-Type: a", "Server: mist");
    }
}
