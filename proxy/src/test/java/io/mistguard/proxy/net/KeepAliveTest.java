package io.mistguard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** Whether a caller asked to keep its connection ({@link KeepAlive}). */
class KeepAliveTest {

    private static HttpRequest request(String version, String connection) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.valueOf(version), HttpMethod.GET, "/");
        if (connection != null) {
            request.headers().set("Connection", connection);
        }
        return request;
    }

    @Test
    void http11KeepsAliveUnlessItSaysClose() {
        assertThat(KeepAlive.requested(request("HTTP/1.1", null))).isTrue();
        assertThat(KeepAlive.requested(request("HTTP/1.1", "close"))).isFalse();
        assertThat(KeepAlive.requested(request("HTTP/1.1", "Keep-Alive, Close"))).isFalse();
    }

    /**
     * Regression (a fresh review): Netty's own test went by a made-up version's default, "keep alive",
     * so an HTTP/0.9 or lower-case http/1.0 caller was kept open; only HTTP/1.0 itself was closed.
     */
    @Test
    void olderVersionsKeepAliveOnlyWhenTheyAskRegression() {
        for (String version : new String[] {"HTTP/1.0", "http/1.0"}) {
            assertThat(KeepAlive.requested(request(version, null))).as(version).isFalse();
            assertThat(KeepAlive.requested(request(version, "keep-alive"))).as(version).isTrue();
            assertThat(KeepAlive.requested(request(version, "keep-alive, close"))).as(version).isFalse();
        }
    }

    /** RFC 9112 §9.3: before 1.1 only HTTP/1.0 persists; an HTTP/0.9 caller is closed whatever it says. */
    @Test
    void http09NeverKeepsAliveRegression() {
        assertThat(KeepAlive.requested(request("HTTP/0.9", null))).isFalse();
        assertThat(KeepAlive.requested(request("HTTP/0.9", "keep-alive"))).isFalse();
    }
}
