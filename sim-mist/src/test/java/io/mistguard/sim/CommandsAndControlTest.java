package io.mistguard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Write commands change state as Mist does; the control endpoint and scenario file drive faults. */
class CommandsAndControlTest {

    @Test
    void autoPushUpsertExactRemoveAndConfigTriggersReplace() throws Exception {
        try (SimMist m = SimMist.builder().start(); RawHttp http = new RawHttp(m.port())) {
            http.post("/api2", "{\"push_auto_add\":{\"stream\":\"video+\",\"target\":\"s3://a\"}}");
            http.post("/api2", "{\"push_auto_add\":{\"stream\":\"video+\",\"target\":\"s3://a\"}}");
            assertThat(http.post("/api2", "{\"push_auto_list\":true}").body())
                    .contains("\"push_auto_list\":[[\"video+\",\"s3://a\",null,null,null,null,null,null]]");
            http.post("/api2", "{\"push_auto_remove\":[[\"video+\",\"s3://other\",null,null,null,null,null,null]]}");
            assertThat(m.state().autoPushesJson()).hasSize(1);
            http.post("/api2", "{\"push_auto_remove\":[[\"video+\",\"s3://a\",null,null,null,null,null,null]]}");
            assertThat(m.state().autoPushesJson()).isEmpty();
            http.post("/", "{\"config\":{\"triggers\":{\"USER_NEW\":[{\"handler\":\"h1\"}]}}}");
            http.post("/", "{\"config\":{\"triggers\":{\"PUSH_END\":[{\"handler\":\"h2\"}]}}}");
            assertThat(m.state().configJson()).contains("PUSH_END").doesNotContain("USER_NEW");
        }
    }

    @Test
    void controlEndpointAddsFaultsAndServesTheRecording() throws Exception {
        try (SimMist m = SimMist.builder().controlPort(0).start(); RawHttp http = new RawHttp(m.port())) {
            HttpClient client = HttpClient.newHttpClient();
            URI faults = URI.create("http://127.0.0.1:" + m.controlPort() + "/faults");
            HttpResponse<String> added = client.send(HttpRequest.newBuilder(faults).POST(HttpRequest.BodyPublishers
                    .ofString("{\"command\":\"nuke_stream\",\"action\":\"status\",\"status\":502,\"times\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(added.statusCode()).isEqualTo(200);
            assertThat(http.post("/", "{\"nuke_stream\":\"video+a\"}").status()).isEqualTo(502);
            String rec = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.controlPort()
                    + "/recording")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(rec).contains("\"requestCount\":1").contains("\"nuke_stream\":{");
            client.send(HttpRequest.newBuilder(faults).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(m.faults().rules()).isEmpty();
        }
    }

    @Test
    void scenarioSeedsStreamsAccountsAndFaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("s.yaml");
        Files.writeString(file, "streams: {count: 200, viewers: 50}\naccounts: {ops: pw}\npassphrase: sesame\n"
                + "faults:\n  - {path: /sesame, action: status, status: 503}\n");
        try (SimMist m = SimMist.builder().scenario(file).start(); RawHttp http = new RawHttp(m.port())) {
            assertThat(m.state().streamNames()).hasSize(200);
            assertThat(m.state().sessions("video+stream199")).hasSize(50);
            http.send("GET", "/sesame", null, "");
            assertThat(http.read().status()).isEqualTo(503);
            assertThat(http.post("/", MistReplies.GET_STATE).body().length()).isGreaterThan(10_000);
        }
    }
}
