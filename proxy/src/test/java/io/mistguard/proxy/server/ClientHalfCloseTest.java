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
    }
}
