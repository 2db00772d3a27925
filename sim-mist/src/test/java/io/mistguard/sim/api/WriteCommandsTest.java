package io.mistguard.sim.api;

import static io.mistguard.sim.MistReplies.assertOk;
import static io.mistguard.sim.MistReplies.keys;
import static io.mistguard.sim.MistReplies.pids;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mistguard.sim.RawHttp;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.junit.SimMistExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The write commands catalyst-api sends (mist-api.md §3) over loopback: the reply shape, and the
 * state change as a later read sees it. Each test gets a fresh sim-mist (instance-field extension),
 * since these commands change state the extension does not reset.
 */
class WriteCommandsTest {

    static final String S0 = "video+stream0";
    static final String S1 = "video+stream1";
    static final String S2 = "video+stream2";

    @RegisterExtension
    SimMistExtension mist = SimMistExtension.with(b -> b.streams(3, 2));

    @Test
    void pushStopRemovesExactlyTheListedPids() throws Exception {
        SimMist m = mist.get();
        m.state().addPush(S0, "rtmp://a/0");
        m.state().addPush(S1, "rtmp://a/1");
        m.state().addPush(S1, "rtmp://b/1");
        try (RawHttp http = new RawHttp(m.port())) {
            List<Long> listed = pids(assertOk(http.post("/api2", "{\"push_list\":true}")));
            assertThat(listed).hasSize(3).doesNotHaveDuplicates();

            // The array form, on "/" as catalyst-api sends it: non-minimal reply, no push_stop key.
            JsonNode stop = assertOk(http.post("/", "{\"push_stop\":[" + listed.get(1) + "]}"));
            assertThat(keys(stop)).containsExactly("LTS", "authorize", "config", "streams", "log");
            assertThat(pids(assertOk(http.post("/api2", "{\"push_list\":true}"))))
                    .containsExactly(listed.get(0), listed.get(2));

            // A bare pid works too, and an unknown pid changes nothing.
            assertOk(http.post("/api2", "{\"push_stop\":" + listed.get(0) + "}"));
            JsonNode unknown = assertOk(http.post("/api2", "{\"push_stop\":[999999]}"));
            assertThat(unknown.toString()).isEqualTo("{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"}}");
            JsonNode after = assertOk(http.post("/api2", "{\"push_list\":true}"));
            assertThat(pids(after)).containsExactly(listed.get(2));
            assertThat(after.get("push_list").get(0).get(1).asText()).isEqualTo(S1);
            assertThat(after.get("push_list").get(0).get(2).asText()).isEqualTo("rtmp://b/1");
        }
    }

    @Test
    void addstreamConfiguresAStreamWithoutMakingItActive() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            JsonNode added = assertOk(http.post("/", "{\"addstream\":{\"video+new\":{\"source\":\"push://\"}}}"));
            // Mist answers an addstream with an "incomplete list" of the streams it added.
            assertThat(added.get("streams").toString())
                    .isEqualTo("{\"incomplete list\":1,\"video+new\":{\"source\":\"push://\",\"name\":\"video+new\"}}");

            JsonNode read = assertOk(http.post("/", "{\"active_streams\":true}"));
            assertThat(read.get("streams").has("incomplete list")).isFalse();
            assertThat(read.get("streams").get("video+new").get("source").asText()).isEqualTo("push://");
            assertThat(read.get("streams").has("video")).as("the stream configured before").isTrue();
            // Configured is not active: only an input makes a stream show up in active_streams.
            assertThat(read.get("active_streams")).extracting(JsonNode::asText).containsExactly(S0, S1, S2);
        }
    }

    @Test
    void addstreamOnApi2StillAnswersTheIncompleteList() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            JsonNode added = assertOk(http.post("/api2", "{\"addstream\":{\"a\":{\"source\":\"push://\"},\"b\":{}}}"));
            assertThat(keys(added)).containsExactly("LTS", "authorize", "streams");
            assertThat(keys(added.get("streams"))).containsExactly("incomplete list", "a", "b");
        }
    }

    @Test
    void deletestreamRemovesTheConfigurationButNotTheActiveStream() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            assertOk(http.post("/api2", "{\"addstream\":{\"video+new\":{\"source\":\"push://\"},\"" + S0
                    + "\":{\"source\":\"push://\"}}}"));
            JsonNode deleted = assertOk(http.post("/", "{\"deletestream\":[\"video+new\",\"" + S0 + "\"]}"));
            // Deletions cannot fail, so Mist's incomplete list names none.
            assertThat(deleted.get("streams").toString()).isEqualTo("{\"incomplete list\":1}");

            JsonNode read = assertOk(http.post("/", "{\"active_streams\":true}"));
            assertThat(keys(read.get("streams"))).containsExactly("video");
            assertThat(read.get("active_streams")).extracting(JsonNode::asText).containsExactly(S0, S1, S2);

            assertOk(http.post("/api2", "{\"deletestream\":\"video\"}"));
            assertThat(assertOk(http.post("/", "{}")).get("streams").size()).isZero();
        }
        assertThat(mist.get().recording().streamsFor("deletestream")).containsExactly("video+new", S0, "video");
    }

    @Test
    void stopSessionsEndsTheSessionsOfThatStreamOnly() throws Exception {
        SimMist m = mist.get();
        try (RawHttp http = new RawHttp(m.port())) {
            JsonNode stop = assertOk(http.post("/", "{\"stop_sessions\":\"" + S1 + "\"}"));
            assertThat(keys(stop)).containsExactly("LTS", "authorize", "config", "streams", "log");
            assertThat(stop.get("log").toString()).contains("Stopped 2 sessions of " + S1);

            JsonNode stats = assertOk(http.post("/api2", "{\"active_streams\":true,\"stats_streams\":[\"clients\"]}"));
            assertThat(stats.get("stats_streams").toString())
                    .isEqualTo("{\"" + S0 + "\":[2],\"" + S1 + "\":[0],\"" + S2 + "\":[2]}");
            assertThat(stats.get("active_streams")).extracting(JsonNode::asText).as("the stream itself lives on")
                    .containsExactly(S0, S1, S2);
            assertThat(m.state().sessions(S0)).hasSize(2);

            assertOk(http.post("/api2", "{\"stop_sessions\":[\"" + S0 + "\",\"" + S2 + "\"]}"));
        }
        assertThat(m.state().sessions(S0)).isEmpty();
        assertThat(m.state().sessions(S2)).isEmpty();
        assertThat(m.recording().streamsFor("stop_sessions")).containsExactly(S1, S0, S2);
    }

    @Test
    void nukeStreamRemovesTheStreamAndItsPushesAndABackToBackDuplicateIsHarmless() throws Exception {
        SimMist m = mist.get();
        long kept = m.state().addPush(S0, "rtmp://a/0");
        m.state().addPush(S1, "rtmp://a/1");
        try (RawHttp http = new RawHttp(m.port())) {
            String nuke = "{\"nuke_stream\":\"" + S1 + "\"}";
            JsonNode first = assertOk(http.post("/", nuke));
            JsonNode second = assertOk(http.post("/", nuke));
            assertThat(keys(first)).containsExactly("LTS", "authorize", "config", "streams", "log");
            assertThat(keys(second)).isEqualTo(keys(first));
            assertThat(second.get("streams")).isEqualTo(first.get("streams"));

            JsonNode state = assertOk(http.post("/api2", ApiEmulationTest.GET_STATE));
            assertThat(keys(state.get("active_streams"))).containsExactly(S0, S2);
            assertThat(keys(state.get("stats_streams"))).containsExactly(S0, S2);
            assertThat(pids(state)).containsExactly(kept);
        }
        assertThat(m.state().sessions(S0)).hasSize(2);
        assertThat(m.recording().streamsFor("nuke_stream")).containsExactly(S1, S1);
    }
}
