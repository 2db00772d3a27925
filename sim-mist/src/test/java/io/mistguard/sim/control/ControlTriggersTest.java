package io.mistguard.sim.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.mistguard.sim.SimMist;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The control endpoint's {@code /triggers} routes against a tiny loopback trigger receiver. */
class ControlTriggersTest {

    record Received(Map<String, List<String>> headers, String body) {
    }

    static final ObjectMapper JSON = new ObjectMapper();

    HttpServer receiver;
    final Queue<Received> received = new ConcurrentLinkedQueue<>();
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/api/mist/trigger", ex -> {
            received.add(new Received(ex.getRequestHeaders(),
                    new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            byte[] b = "false".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    @Test
    void postedTriggerIsSentAndItsOutcomeIsListed() throws Exception {
        try (SimMist m = SimMist.builder().controlPort(0).triggerAttempts(2).triggerAttemptTimeout(Duration.ofSeconds(2))
                .triggerUrl("http://127.0.0.1:" + receiver.getAddress().getPort() + "/api/mist/trigger").start()) {
            HttpResponse<String> sent = control(m, "POST", "/triggers",
                    "{\"name\":\"USER_NEW\",\"payload\":[\"video+a\",\"1.2.3.4\"],\"blocking\":true}");
            assertThat(sent.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(sent.body()).get("sent").asBoolean()).isTrue();

            JsonNode outcomes = awaitOutcomes(m, 1);
            JsonNode o = outcomes.get(0);
            assertThat(o.get("trigger").asText()).isEqualTo("USER_NEW");
            assertThat(o.get("payload").toString()).isEqualTo("[\"video+a\",\"1.2.3.4\"]");
            assertThat(o.get("attemptResults").toString()).isEqualTo("[\"200\"]");
            assertThat(o.get("response").asText()).isEqualTo("false");
            assertThat(o.get("usedDefault").asBoolean()).isFalse();

            Received r = received.peek();
            assertThat(r.headers().get("X-trigger")).containsExactly("USER_NEW");
            assertThat(r.headers().get("X-trigger-uuid")).containsExactly(o.get("triggerUuid").asText());
            assertThat(r.body()).isEqualTo("video+a\n1.2.3.4");
        }
    }

    @Test
    void nonBlockingTriggerGetsOneAttempt() throws Exception {
        try (SimMist m = SimMist.builder().controlPort(0).triggerAttempts(5)
                .triggerUrl("http://127.0.0.1:" + receiver.getAddress().getPort() + "/nowhere").start()) {
            assertThat(control(m, "POST", "/triggers", "{\"name\":\"PUSH_END\",\"payload\":[\"1\"],\"blocking\":false}")
                    .statusCode()).isEqualTo(200);
            JsonNode o = awaitOutcomes(m, 1).get(0);
            assertThat(o.get("attemptResults").toString()).isEqualTo("[\"404\"]");
            assertThat(o.get("blocking").asBoolean()).isFalse();
            assertThat(o.get("usedDefault").asBoolean()).isTrue();
        }
        assertThat(received).isEmpty();
    }

    @Test
    void triggerWithoutATriggerUrlIsRefusedWithAnAnswer() throws Exception {
        try (SimMist m = SimMist.builder().controlPort(0).start()) {
            HttpResponse<String> r = control(m, "POST", "/triggers", "{\"name\":\"USER_NEW\",\"payload\":[]}");
            assertThat(r.statusCode()).isEqualTo(409);
            assertThat(r.body()).contains("no trigger URL");
            assertThat(control(m, "GET", "/triggers", null).body()).isEqualTo("[]\n");
        }
    }

    @Test
    void malformedTriggerRequestsAreBadRequests() throws Exception {
        try (SimMist m = SimMist.builder().controlPort(0)
                .triggerUrl("http://127.0.0.1:" + receiver.getAddress().getPort() + "/api/mist/trigger").start()) {
            for (String body : new String[] {"not json", "[\"USER_NEW\"]", "{\"payload\":[\"a\"]}",
                    "{\"name\":\"USER_NEW\",\"payload\":\"a\"}"}) {
                HttpResponse<String> r = control(m, "POST", "/triggers", body);
                assertThat(r.statusCode()).as(body).isEqualTo(400);
                assertThat(JSON.readTree(r.body()).get("error").asText()).as(body).isNotBlank();
            }
        }
        assertThat(received).isEmpty();
    }

    private JsonNode awaitOutcomes(SimMist m, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            HttpResponse<String> r = control(m, "GET", "/triggers", null);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode outcomes = JSON.readTree(r.body());
            if (outcomes.size() >= n || System.nanoTime() > deadline) {
                assertThat(outcomes).hasSizeGreaterThanOrEqualTo(n);
                return outcomes;
            }
            Thread.sleep(10);
        }
    }

    private HttpResponse<String> control(SimMist m, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.controlPort() + path))
                .timeout(Duration.ofSeconds(5));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
