package io.mistguard.sim.api;

import static io.mistguard.sim.MistReplies.assertOk;
import static io.mistguard.sim.MistReplies.keys;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mistguard.sim.RawHttp;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.junit.SimMistExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Several commands in one request (mist-api.md §1): every top-level key is answered in one reply. */
class MultiCommandTest {

    @RegisterExtension
    SimMistExtension mist = SimMistExtension.with(b -> b.streams(2, 3));

    @Test
    void getStateAnswersItsFourKeysInOneMinimalReply() throws Exception {
        SimMist m = mist.get();
        m.state().addPush("video+stream1", "rtmp://x/1");
        try (RawHttp http = new RawHttp(m.port())) {
            JsonNode r = assertOk(http.post("/api2", ApiEmulationTest.GET_STATE));
            assertThat(keys(r)).containsExactly("LTS", "authorize", "active_streams", "stats_streams", "push_list",
                    "push_auto_list");
            assertThat(r.get("active_streams").toString())
                    .isEqualTo("{\"video+stream0\":[\"push://\"],\"video+stream1\":[\"push://\"]}");
            assertThat(r.get("stats_streams").get("video+stream0").get(0).asInt()).isEqualTo(3);
            assertThat(r.get("push_list")).hasSize(1);
            assertThat(r.get("push_auto_list").isArray()).isTrue();
        }
        assertThat(m.recording().requestCount()).isEqualTo(1);
        assertThat(m.recording().requests().get(0).commandKeys())
                .containsExactly("active_streams", "stats_streams", "push_list", "push_auto_list");
    }

    @Test
    void writesAndReadsTogetherAreAllExecutedAndAnswered() throws Exception {
        SimMist m = mist.get();
        String both = "{\"push_auto_add\":{\"stream\":\"video+\",\"target\":\"s3://b/$stream\"},"
                + "\"stop_sessions\":\"video+stream0\",\"push_auto_list\":true,\"stats_streams\":[\"clients\"]}";
        try (RawHttp http = new RawHttp(m.port())) {
            JsonNode r = assertOk(http.post("/", both));
            assertThat(keys(r)).containsExactly("LTS", "authorize", "push_auto_list", "stats_streams", "config",
                    "streams", "log");
            // Both writes took effect, as the next read shows.
            JsonNode after = assertOk(http.post("/api2", "{\"push_auto_list\":true,\"stats_streams\":[\"clients\"]}"));
            assertThat(after.get("push_auto_list").toString())
                    .isEqualTo("[[\"video+\",\"s3://b/$stream\",null,null,null,null,null,null]]");
            assertThat(after.get("stats_streams").toString())
                    .isEqualTo("{\"video+stream0\":[0],\"video+stream1\":[3]}");
        }
        assertThat(m.recording().requestCount()).isEqualTo(2);
        assertThat(m.recording().commandCount("stop_sessions")).isEqualTo(1);
        assertThat(m.recording().commandCount("push_auto_list")).isEqualTo(2);
        assertThat(m.recording().requests().get(0).streams()).containsExactly("video+", "video+stream0");
    }
}
