package io.mistguard.sim.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mistguard.sim.RawHttp;
import io.mistguard.sim.SimMist;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code /ws} live view of Mist's web UI: an RFC 6455 handshake, then the connection's
 * {@code authorize} object as the first frame (the API's per-connection trust), then the recent log
 * lines once authorised; sessions are recorded. Driven with the JDK's WebSocket client.
 */
class WebSocketTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static SimMist mist;

    @BeforeAll
    static void start() {
        mist = SimMist.builder().account("admin", "s3cret").catalystLoginPenalty(false).start();
    }

    @AfterAll
    static void stop() {
        mist.close();
    }

    @BeforeEach
    void seedLog() {
        mist.recording().clear();
        for (int i = 0; i < 5; i++) {
            mist.state().log("INFO", "line " + i);
        }
    }

    /** A client that queues every text message it receives. */
    static final class Collector implements WebSocket.Listener {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        JsonNode next() throws Exception {
            String m = messages.poll(10, TimeUnit.SECONDS);
            assertThat(m).as("a message within 10 s").isNotNull();
            return JSON.readTree(m);
        }
    }

    static WebSocket open(Collector collector, String query, String... headers) {
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b.buildAsync(URI.create("ws://127.0.0.1:" + mist.port() + "/ws" + query), collector).join();
    }

    @Test
    void aTrustedLoopbackConnectionIsToldItIsLocalThenGetsTheRecentLogLines() throws Exception {
        Collector c = new Collector();
        WebSocket ws = open(c, "?logs=3&streams=1");
        assertThat(c.next().toString()).isEqualTo("{\"authorize\":{\"local\":true,\"status\":\"OK\"}}");
        for (int i = 2; i < 5; i++) {
            JsonNode event = c.next();
            assertThat(event.get(0).asText()).isEqualTo("log");
            assertThat(event.get(1).get(1).asText()).isEqualTo("INFO");
            assertThat(event.get(1).get(2).asText()).isEqualTo("line " + i);
        }
        assertThat(mist.recording().webSocketsOpened()).isEqualTo(1);

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        assertThat(mist.recording().awaitWebSocketsClosed(1, Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void aProxiedConnectionGetsChallAndNoLogsUntilItLogsIn() throws Exception {
        Collector c = new Collector();
        WebSocket ws = open(c, "?logs=100", "X-Forwarded-For", "10.0.0.7");
        JsonNode chall = c.next().get("authorize");
        assertThat(chall.get("status").asText()).isEqualTo("CHALL");
        assertThat(c.messages.poll(200, TimeUnit.MILLISECONDS)).as("no logs before login").isNull();

        String answer = Md5.challengeAnswer("s3cret", chall.get("challenge").asText());
        ws.sendText("{\"authorize\":{\"username\":\"admin\",\"password\":\"" + answer + "\"}}", true).join();
        assertThat(c.next().toString()).isEqualTo("{\"authorize\":{\"status\":\"OK\"}}");
        assertThat(c.next().get(1).get(2).asText()).isEqualTo("line 0");
        ws.abort();
        assertThat(mist.recording().awaitWebSocketsClosed(1, Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void aGetOfWsWithoutUpgradeIsTheWebUi() throws Exception {
        try (RawHttp http = new RawHttp(mist.port())) {
            http.send("GET", "/ws?logs=100&streams=1", null, "");
            RawHttp.Response r = http.read();
            assertThat(r.headers()).containsEntry("content-type", "text/html");
            assertThat(http.closedByServer()).isTrue();
        }
        assertThat(mist.recording().webSocketsOpened()).isZero();
    }
}
