package io.mistguard.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression (issue 16's review): DNS rebinding against an admin listener without a token, the
 * default and the demo's. A page at {@code http://attacker.example:4244/} whose name the attacker
 * re-points at 127.0.0.1 sends the admin listener same-origin requests: {@code Origin} and
 * {@code Host} both say {@code attacker.example:4244}, a {@code GET} carries no {@code Origin},
 * and {@code Sec-Fetch-Site} is {@code same-origin}. Headless Chromium with
 * {@code --host-resolver-rules="MAP attacker.example 127.0.0.1"} forced the {@code mist} breaker
 * open for an hour that way and read every view. Now such requests get 403; the names a browser or
 * {@code kubectl port-forward} on the host really uses still work, and with a token the name does not
 * matter (the browser never adds the token by itself).
 */
class AdminDnsRebindingTest {

    private final TestAdminBackend backend = new TestAdminBackend();
    private EmbeddedChannel channel = new EmbeddedChannel(new AdminHandler(backend, ""));

    @AfterEach
    void noLeaks() {
        assertFalse(channel.finishAndReleaseAll());
    }

    private int status(HttpMethod method, String uri, String host, String... headerPairs) {
        // A tool that sends no Host speaks HTTP/1.0: HTTP/1.1 requires one (RFC 9112 §3.2).
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(
                host == null ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1, method, uri);
        if (host != null) {
            request.headers().set(HttpHeaderNames.HOST, host);
        }
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().set(headerPairs[i], headerPairs[i + 1]);
        }
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        try {
            if (response.status().code() == 403) {
                assertThat(response.content().toString(StandardCharsets.UTF_8)).contains("DNS rebinding");
                assertThat(response.headers().get("X-Frame-Options")).isEqualTo("DENY");
            }
            ByteBufUtil.getBytes(response.content());
            return response.status().code();
        } finally {
            response.release();
        }
    }

    @Test
    void aRebindingPageCannotForceTheMistBreakerOpenWithoutAToken() {
        int forced = status(HttpMethod.POST, "/admin/breakers/mist/force-open?for=1h", "attacker.example:4244",
                            "Origin", "http://attacker.example:4244", "Sec-Fetch-Site", "same-origin",
                            "Content-Type", "text/plain");

        assertThat(forced).isEqualTo(403);
        assertThat(backend.policies().breaker("mist").forced()).isEqualTo("none");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/admin/breakers", "/admin/routes", "/admin/inflight", "/admin/invalidations", "/metrics"})
    void aRebindingPageCannotReadTheViewsWithoutAToken(String view) {
        // a same-origin GET: no Origin at all
        assertThat(status(HttpMethod.GET, view, "attacker.example:4244", "Sec-Fetch-Site", "same-origin"))
                .isEqualTo(403);
        assertThat(status(HttpMethod.GET, view, "ATTACKER.example")).isEqualTo(403);
        assertThat(status(HttpMethod.GET, view, "localhost.attacker.example:4244")).isEqualTo(403);
        assertThat(status(HttpMethod.GET, view, "127.0.0.1.attacker.example")).isEqualTo(403);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:4244", "127.0.0.1", "localhost:4244", "LOCALHOST:4244", "localhost.:4244",
                            "[::1]:4244", "[::1]", "10.1.2.3:4244",
                            // a fresh review: IP literals the Host rule takes, refused here as foreign names
                            "[64:ff9b::192.0.2.1]:4244", "::1:4244"})
    void theNamesABrowserOrPortForwardOnTheHostUsesStillWork(String host) {
        assertThat(status(HttpMethod.GET, "/admin/breakers", host)).as(host).isEqualTo(200);
        assertThat(status(HttpMethod.POST, "/admin/breakers/mist/force-close?for=1s", host,
                          "Origin", "http://" + host.toLowerCase(), "Sec-Fetch-Site", "same-origin")).as(host)
                .isEqualTo(200);
    }

    @Test
    void toolsWithoutAHostAndTheProbesAndThePageAreUnaffected() {
        assertThat(status(HttpMethod.GET, "/healthz", "attacker.example:4244")).isEqualTo(200);
        assertThat(status(HttpMethod.GET, "/", "attacker.example:4244")).as("the page holds no data").isEqualTo(200);
        assertThat(status(HttpMethod.GET, "/admin/breakers", null)).as("HTTP/1.0, which closes").isEqualTo(200);
    }

    /** Found by review: an empty Host (a target without an authority, RFC 9112 §3.2) names nothing to rebind. */
    @Test
    void anEmptyHostIsNoForeignNameRegression() {
        assertThat(status(HttpMethod.GET, "/admin/breakers", "")).isEqualTo(200);
    }

    /**
     * Regression (a fresh review): the rebinding rule read the first of two Host lines, and an
     * HTTP/1.1 request without Host passed as a tool's; RFC 9112 §3.2 asks a 400 for both.
     */
    @ParameterizedTest
    @ValueSource(strings = {"none", "localhost:4244|attacker.example:4244", "local host"})
    void aMissingRepeatedOrMalformedHostIsABadRequestRegression(String hosts) {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                                                                    "/admin/breakers");
        if (!hosts.equals("none")) {
            for (String host : hosts.split("\\|")) {
                request.headers().add(HttpHeaderNames.HOST, host);
            }
        }
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        try {
            assertThat(response.status().code()).isEqualTo(400);
            assertThat(response.content().toString(StandardCharsets.UTF_8)).contains("RFC 9112");
        } finally {
            response.release();
        }
    }

    @Test
    void withATokenAnyNameMayBeUsed() {
        assertFalse(channel.finishAndReleaseAll());
        channel = new EmbeddedChannel(new AdminHandler(backend, "s3cret"));

        assertThat(status(HttpMethod.GET, "/admin/breakers", "mistguard-admin.video.svc:4244",
                          "Authorization", "Bearer s3cret")).isEqualTo(200);
        assertThat(status(HttpMethod.GET, "/admin/breakers", "attacker.example:4244")).isEqualTo(401);
    }
}
