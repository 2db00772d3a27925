package io.mistguard.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** Which clients that sent a FIN may be probed with a 1xx (RFC 9110 §15.2: never an HTTP/1.0 one). */
class ClientHalfCloseTest {

    @Test
    void onlyHttp11ClientsAreProbed() {
        assertThat(ClientHalfClose.probes(HttpVersion.HTTP_1_1)).isTrue();
        assertThat(ClientHalfClose.probes(HttpVersion.HTTP_1_0)).isFalse();
        // Regression (a third fresh review): an HTTP/0.9 client was sent the 100 probe (RFC 9110 §15.2).
        assertThat(ClientHalfClose.probes(HttpVersion.valueOf("HTTP/0.9"))).isFalse();
    }
}
