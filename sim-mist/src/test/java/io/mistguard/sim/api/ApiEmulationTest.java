package io.mistguard.sim.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mistguard.sim.MistReplies;
import io.mistguard.sim.RawHttp;
import io.mistguard.sim.junit.SimMistExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reply shapes and request forms of mist-api.md §1 and §3, over loopback. */
class ApiEmulationTest {

    static final String GET_STATE = MistReplies.GET_STATE;
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static SimMistExtension mist = SimMistExtension.with(b -> b.streams(3, 2));

    @Test
    void getStateOnRootIsNonMinimalWithCaptureShape() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            RawHttp.Response r = http.post("/", GET_STATE);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers()).containsEntry("content-type", "text/javascript");
            assertThat(r.body()).endsWith("}\n\n");
            JsonNode n = JSON.readTree(r.body());
            assertThat(List.of(n.fieldNames().next())).containsExactly("LTS");
            assertThat(n.get("authorize").toString()).isEqualTo("{\"local\":true,\"status\":\"OK\"}");
            assertThat(n.get("active_streams").get("video+stream0").toString()).isEqualTo("[\"push://\"]");
            assertThat(n.get("stats_streams").get("video+stream1").get(0).asInt()).isEqualTo(2);
            assertThat(n.get("push_list").isArray()).isTrue();
            assertThat(n.get("push_auto_list").isArray()).isTrue();
            assertThat(n.has("config") && n.has("streams") && n.has("log")).isTrue();
        }
    }

    @Test
    void api2IsMinimal() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            JsonNode n = JSON.readTree(http.post("/api2", "{\"nuke_stream\":\"nope\"}").body());
            assertThat(n.toString()).isEqualTo("{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"}}");
        }
    }

    @Test
    void acceptsQueryAndRawJsonForms() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/api2?command=" + java.net.URLEncoder.encode("{\"push_auto_list\":true}", "UTF-8"),
                    null, "");
            assertThat(JSON.readTree(http.read().body()).has("push_auto_list")).isTrue();
            http.send("POST", "/api2", "application/json", "{\"active_streams\":true}");
            assertThat(JSON.readTree(http.read().body()).get("active_streams").size()).isEqualTo(3);
        }
        assertThat(mist.get().recording().commandCount("push_auto_list")).isEqualTo(1);
        assertThat(mist.get().recording().commandCount("active_streams")).isEqualTo(1);
    }

    @Test
    void missingCommandOffApiPathsServesHtmlAndCloses() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/", null, "");
            RawHttp.Response r = http.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("<html");
            assertThat(r.headers()).containsEntry("connection", "close");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void missingCommandOnApiIsJson() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/api2", null, "");
            assertThat(http.read().body()).startsWith("{\"LTS\":1");
        }
    }

    @Test
    void prometheusTextAndJson() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/koekjes", null, "");
            assertThat(http.read().body()).contains("mist_sessions_total{sessType=\"viewers\"} 6");
            http.send("GET", "/koekjes.json", null, "");
            assertThat(JSON.readTree(http.read().body()).get("streams").size()).isEqualTo(3);
        }
    }
}
