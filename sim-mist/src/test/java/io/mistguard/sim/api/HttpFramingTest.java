package io.mistguard.sim.api;

import static io.mistguard.sim.MistReplies.assertOk;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.RawHttp;
import io.mistguard.sim.junit.SimMistExtension;
import io.mistguard.sim.record.RecordedRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP framing and keep-alive as a real Mist 3.10 does them (mist-api.md §8), over raw sockets:
 * HEAD gets a full body, the client's {@code Connection: close} is ignored, replies carry no
 * {@code Connection} header, idle connections stay open, and no {@code 100 Continue} is sent.
 */
class HttpFramingTest {

    static final String PUSH_LIST_QUERY = "/api2?command=" + URLEncoder.encode("{\"push_list\":true}",
            StandardCharsets.UTF_8);
    static final String MINIMAL_OK = "{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"}";

    @RegisterExtension
    static SimMistExtension mist = SimMistExtension.with(b -> b.streams(2, 1));

    @Test
    void headIsAnsweredWithTheFullBodySoTheNextReplyOnTheConnectionStaysInStep() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("HEAD", PUSH_LIST_QUERY, null, "");
            RawHttp.Response head = http.read();
            assertOk(head);
            assertThat(head.body()).contains("\"push_list\"");
            assertThat(head.headers()).containsEntry("content-length",
                    String.valueOf(head.body().getBytes(StandardCharsets.UTF_8).length));

            http.send("GET", "/api2?command=%7B%22active_streams%22%3Atrue%7D", null, "");
            assertThat(assertOk(http.read()).get("active_streams")).hasSize(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"HEAD", "OPTIONS", "DELETE"})
    void otherMethodsAreTreatedLikeGet(String method) throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send(method, PUSH_LIST_QUERY, null, "");
            assertThat(assertOk(http.read()).has("push_list")).isTrue();
        }
        RecordedRequest received = mist.get().recording().requests().get(0);
        assertThat(received.method()).isEqualTo(method);
        assertThat(received.commandKeys()).containsExactly("push_list");
    }

    @Test
    void apiRepliesCarryLengthCorsAndNoCacheButNoConnectionHeader() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            RawHttp.Response r = http.post("/api2", "{\"push_list\":true}");
            assertThat(r.headers()).containsEntry("content-type", "text/javascript")
                    .containsEntry("access-control-allow-origin", "*")
                    .containsEntry("cache-control", "no-cache, no-store, must-revalidate")
                    .containsKey("content-length")
                    .doesNotContainKey("connection");
        }
    }

    @Test
    void aClientsConnectionCloseIsIgnored() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            RawHttp.Response r = http.post("/api2", "{\"push_list\":true}", "Connection: close");
            assertOk(r);
            assertThat(r.headers()).doesNotContainKey("connection");
            // Still open: the next request on the same socket is answered.
            assertOk(http.post("/api2", "{\"push_list\":true}", "Connection: close"));
        }
        assertThat(mist.get().recording().connectionsOpened()).isEqualTo(1);
    }

    @Test
    void http10GetsAnHttp11ReplyAndTheConnectionStaysOpen() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.sendRaw("GET " + PUSH_LIST_QUERY + " HTTP/1.0\r\n\r\n");
            RawHttp.Head head = http.readHead();
            assertThat(head.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(head.headers()).doesNotContainKey("connection");
            assertThat(http.readBody(head)).startsWith(MINIMAL_OK);

            http.sendRaw("GET " + PUSH_LIST_QUERY + " HTTP/1.0\r\nConnection: close\r\n\r\n");
            assertOk(http.read());
            assertThat(http.silentFor(200)).as("open, and nothing more to read").isTrue();
        }
    }

    @Test
    void anIdleConnectionIsNotClosed() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            assertOk(http.post("/api2", "{\"push_list\":true}"));
            // No idle timeout of any length: the connection is still open after a pause...
            assertThat(http.silentFor(1500)).isTrue();
            // ...and still served.
            assertOk(http.post("/api2", "{\"push_list\":true}"));
        }
        assertThat(mist.get().recording().connectionsOpened()).isEqualTo(1);
    }

    @Test
    void expectContinueGetsNo100AndTheBodyIsAwaited() throws Exception {
        String body = RawHttp.form("{\"push_list\":true}");
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.sendRaw("POST /api2 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Expect: 100-continue\r\nContent-Length: " + body.length() + "\r\n\r\n");
            assertThat(http.silentFor(300)).as("no 100 Continue").isTrue();
            http.sendRaw(body);
            RawHttp.Response r = http.read();
            assertThat(r.status()).isEqualTo(200);
            assertOk(r);
        }
    }

    @Test
    void theWebUiPageNamesMistAndClosesTheConnection() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/foo", null, "");
            RawHttp.Response r = http.read();
            assertThat(r.headers()).containsEntry("content-type", "text/html")
                    .containsEntry("server", "MistServer/3.10").containsEntry("connection", "close");
            assertThat(r.body()).contains("<html");
            assertThat(http.closedByServer()).isTrue();
        }
    }
}
