package io.mistguard.sim.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mistguard.sim.SimMist;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The control endpoint's {@code /chaos} routes: start from a seed, inspect, stop; bad specs get a 400. */
class ControlChaosTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void startInspectAndStopChaosModeOverTheControlPort() throws Exception {
        try (SimMist m = SimMist.builder().controlPort(0).start()) {
            URI chaos = URI.create("http://127.0.0.1:" + m.controlPort() + "/chaos");
            HttpResponse<String> started = client.send(HttpRequest.newBuilder(chaos).POST(HttpRequest.BodyPublishers
                    .ofString("{\"seed\":99,\"minLength\":\"50ms\",\"maxLength\":100,\"minCalm\":0,\"maxCalm\":\"10ms\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(started.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(started.body()).get("seed").asLong()).isEqualTo(99);
            assertThat(m.chaos().runner().seed()).isEqualTo(99);

            JsonNode view = JSON.readTree(client.send(HttpRequest.newBuilder(chaos).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(view.get("running").asBoolean()).isTrue();
            assertThat(view.get("seed").asLong()).isEqualTo(99);
            assertThat(view.has("episodes")).isTrue();
            assertThat(view.has("injected")).isTrue();

            HttpResponse<String> stopped = client.send(HttpRequest.newBuilder(chaos).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(stopped.statusCode()).isEqualTo(200);
            assertThat(m.chaos().runner()).isNull();
            assertThat(m.faults().rules()).isEmpty();

            HttpResponse<String> bad = client.send(HttpRequest.newBuilder(chaos)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"sead\":1}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("unknown key 'sead'");
        }
    }
}
