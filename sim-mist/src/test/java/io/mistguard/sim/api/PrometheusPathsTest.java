package io.mistguard.sim.api;

import static io.mistguard.sim.MistReplies.assertOk;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mistguard.sim.RawHttp;
import io.mistguard.sim.junit.SimMistExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Prometheus passphrase paths as Mist 3.10 serves them (mist-api.md §8): public even behind a
 * proxy header, matched with a query string, {@code Connection: close} said but not done, and the
 * request's Host, User-Agent and Accept echoed back.
 */
class PrometheusPathsTest {

    @RegisterExtension
    static SimMistExtension mist = SimMistExtension.with(b -> b.streams(2, 3));

    @Test
    void textPathIsPublicBehindAProxyHeaderAndSaysCloseButStaysOpen() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/koekjes", null, "", "X-Forwarded-For: 10.1.2.3");
            RawHttp.Response r = http.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers()).containsEntry("content-type", "text/plain; version=0.0.4")
                    .containsEntry("connection", "close");
            assertThat(r.body()).contains("mist_sessions_total{sessType=\"viewers\"} 6");

            // Mist said close but did not: the same socket serves the next request.
            assertOk(http.post("/api2", "{\"push_list\":true}"));
        }
        assertThat(mist.get().recording().connectionsOpened()).isEqualTo(1);
    }

    @Test
    void jsonPathMatchesWithAQueryStringAndIsTextJson() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/koekjes.json?since=1", null, "", "X-Real-IP: 10.1.2.3");
            RawHttp.Response r = http.read();
            assertThat(r.headers()).containsEntry("content-type", "text/json").containsEntry("connection", "close");
            assertThat(new ObjectMapper().readTree(r.body()).get("streams").size()).isEqualTo(2);
            http.send("GET", "/koekjes?x=y", null, "");
            assertThat(http.read().body()).contains("mist_viewers");
        }
    }

    /** As Mist's source does (the request's own parser keeps its fields): every field, not only these three. */
    @Test
    void everyRequestFieldIsEchoedBack() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/koekjes.json", null, "", "Cookie: session=a", "X-Anything: 1");
            RawHttp.Response r = http.read();
            assertThat(r.headers()).containsEntry("cookie", "session=a").containsEntry("x-anything", "1")
                    .containsEntry("content-type", "text/json");
        }
    }

    @Test
    void hostUserAgentAndAcceptAreEchoedBack() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/koekjes", null, "", "User-Agent: curl/8.5.0", "Accept: */*");
            RawHttp.Response r = http.read();
            assertThat(r.headers()).containsEntry("host", "127.0.0.1").containsEntry("user-agent", "curl/8.5.0")
                    .containsEntry("accept", "*/*");
        }
    }

    /**
     * Regression (a fresh review): an empty field was echoed as {@code Host: } where Mist's
     * {@code BuildResponse} writes no header whose value is empty, so Mist answers a request with an
     * empty Host as it answers one with none.
     */
    @Test
    void anEmptyEchoedFieldIsNotEchoedRegression() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.sendRaw("GET /koekjes HTTP/1.1\r\nHost: \r\nUser-Agent: \r\nAccept: x\r\n\r\n");
            RawHttp.Response r = http.read();
            assertThat(r.headers()).doesNotContainKeys("host", "user-agent").containsEntry("accept", "x");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/koekjes/", "/KOEKJES", "/koekjes.js"})
    void nearMissesGetTheWebUi(String path) throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", path, null, "");
            assertThat(http.read().headers()).containsEntry("content-type", "text/html");
            assertThat(http.closedByServer()).isTrue();
        }
    }
}
