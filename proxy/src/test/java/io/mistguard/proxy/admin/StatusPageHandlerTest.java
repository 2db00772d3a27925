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
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 16: the status page and its files on the admin handler, in an {@code EmbeddedChannel}. The
 * page holds no data and is what asks for the token, so it is served without one; everything the
 * listener answers carries the security header fields; another site's page can neither read the
 * views nor press the page's buttons.
 */
class StatusPageHandlerTest {

    private static final String TOKEN = "s3cret-token";
    private static final String HOST = "127.0.0.1:4244";

    private final TestAdminBackend backend = new TestAdminBackend();
    private final EmbeddedChannel channel = new EmbeddedChannel(new AdminHandler(backend, TOKEN));

    @AfterEach
    void noLeaks() {
        assertFalse(channel.finishAndReleaseAll());
    }

    /** One request; the answer's head and body, the buffer released. */
    private Answer exchange(HttpMethod method, String uri, String... headerPairs) {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        request.headers().set(HttpHeaderNames.HOST, HOST);
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().set(headerPairs[i], headerPairs[i + 1]);
        }
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        try {
            return new Answer(response, ByteBufUtil.getBytes(response.content()));
        } finally {
            response.release();
        }
    }

    private record Answer(FullHttpResponse response, byte[] body) {
        int status() {
            return response.status().code();
        }

        String header(CharSequence name) {
            return response.headers().get(name);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = StatusPage.class.getResourceAsStream("/io/mistguard/proxy/admin/status/" + name)) {
            return in.readAllBytes();
        }
    }

    private static void assertSecurityHeaders(Answer answer) {
        assertThat(answer.header("Content-Security-Policy"))
                .contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                          "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(answer.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(answer.header(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
    }

    @Test
    void thePageIsServedWithoutTheTokenWithTheSecurityHeaders() throws IOException {
        Answer page = exchange(HttpMethod.GET, "/");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/html; charset=utf-8");
        assertSecurityHeaders(page);
        assertThat(page.body()).as("the file as shipped: no data is put into it").isEqualTo(resource("index.html"));
        assertThat(page.header(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(String.valueOf(page.body().length));
    }

    @ParameterizedTest
    @CsvSource({
        "/assets/status.js, status.js, text/javascript; charset=utf-8",
        "/assets/status.css, status.css, text/css; charset=utf-8"})
    void theAssetsAreServedWithTheirContentTypes(String path, String file, String contentType) throws IOException {
        Answer asset = exchange(HttpMethod.GET, path);

        assertThat(asset.status()).isEqualTo(200);
        assertThat(asset.header(HttpHeaderNames.CONTENT_TYPE)).isEqualTo(contentType);
        assertSecurityHeaders(asset);
        assertThat(asset.body()).isEqualTo(resource(file));
    }

    @ParameterizedTest
    @CsvSource({"/assets/", "/assets/nope.js", "/assets/../admin/breakers", "/index.html.bak"})
    void anUnknownAssetIsNotFoundAndAnythingElseStillNeedsTheToken(String path) {
        Answer answer = exchange(HttpMethod.GET, path);

        if (path.startsWith("/assets/")) {
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.text()).contains("not found");
        } else {
            assertThat(answer.status()).as("not the page's: behind the token").isEqualTo(401);
        }
        assertSecurityHeaders(answer);
    }

    @Test
    void headGivesTheHeadersOfAGetAndNoBody() {
        int pageLength = exchange(HttpMethod.GET, "/").body().length;
        Answer head = exchange(HttpMethod.HEAD, "/");

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.header(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(String.valueOf(pageLength));
        assertSecurityHeaders(head);

        String auth = "Bearer " + TOKEN;
        int viewLength = exchange(HttpMethod.GET, "/admin/breakers", "Authorization", auth).body().length;
        Answer headView = exchange(HttpMethod.HEAD, "/admin/breakers", "Authorization", auth);
        assertThat(headView.body()).isEmpty();
        assertThat(headView.header(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(String.valueOf(viewLength));
    }

    @Test
    void thePageIsReadOnly() {
        Answer post = exchange(HttpMethod.POST, "/");

        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header(HttpHeaderNames.ALLOW)).isEqualTo("GET, HEAD");
    }

    @Test
    void theViewsThePageReadsNeedTheTokenAndCarryTheSameHeaders() {
        Answer without = exchange(HttpMethod.GET, "/admin/routes");
        Answer with = exchange(HttpMethod.GET, "/admin/routes", "Authorization", "Bearer " + TOKEN);

        assertThat(without.status()).isEqualTo(401);
        assertThat(with.status()).isEqualTo(200);
        assertSecurityHeaders(without);
        assertSecurityHeaders(with);
    }

    @Test
    void anotherSitesPageCannotPressTheBreakerButtons() {
        String auth = "Bearer " + TOKEN;
        Answer forged = exchange(HttpMethod.POST, "/admin/breakers/mist/force-open?for=5m",
                                 "Origin", "http://evil.example", "Authorization", auth);
        Answer fetchMetadata = exchange(HttpMethod.POST, "/admin/breakers/mist/force-open?for=5m",
                                        "Sec-Fetch-Site", "cross-site", "Authorization", auth);

        assertThat(forged.status()).isEqualTo(403);
        assertThat(fetchMetadata.status()).isEqualTo(403);
        assertThat(forged.header("Access-Control-Allow-Origin")).isNull();
        assertThat(backend.policies().breaker("mist").forced()).isEqualTo("none");

        // exactly what the page's own button sends: same origin, the token, a duration
        Answer own = exchange(HttpMethod.POST, "/admin/breakers/mist/force-close?for=5m", "Origin", "http://" + HOST,
                              "Sec-Fetch-Site", "same-origin", "Authorization", auth);
        assertThat(own.status()).isEqualTo(200);
        assertThat(backend.policies().breaker("mist").forced()).isEqualTo("closed");
    }

    @Test
    void aLinkFromAnotherSiteOpensThePageButNotTheData() {
        assertThat(exchange(HttpMethod.GET, "/", "Sec-Fetch-Site", "cross-site").status()).isEqualTo(200);
        assertThat(exchange(HttpMethod.GET, "/admin/breakers", "Sec-Fetch-Site", "cross-site",
                            "Authorization", "Bearer " + TOKEN).status()).isEqualTo(403);
    }
}
