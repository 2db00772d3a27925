package io.mistguard.sim.api;

import static io.mistguard.sim.MistReplies.keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mistguard.sim.MistReplies;
import io.mistguard.sim.RawHttp;
import io.mistguard.sim.SimMist;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReplyShape#MIST_3_10}: a GetState reply as Mist 3.10 writes it (mist-api.md §8), with sorted
 * keys, empty collections as {@code null} and the legacy {@code auto_push} key; and the default
 * {@link ReplyShape#INSERTION_ORDER}, which sim-mist's older tests pin.
 */
class ReplyShapeTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String GET_STATE = MistReplies.GET_STATE;

    @Test
    void getStateOnAnIdleMist310IsNullsInSortedKeyOrder() throws Exception {
        try (SimMist m = SimMist.builder().upstreamMist310().start(); RawHttp http = new RawHttp(m.port())) {
            assertThat(http.post("/api2", GET_STATE).body()).isEqualTo("{\"LTS\":1,\"active_streams\":null,"
                    + "\"authorize\":{\"local\":true,\"status\":\"OK\"},\"auto_push\":null,\"push_auto_list\":null,"
                    + "\"push_list\":null,\"stats_streams\":null}\n\n");
        }
    }

    @Test
    void withStreamsPushesAndAutoPushesTheCollectionsHaveTheirShapesAndEveryKeyIsSorted() throws Exception {
        try (SimMist m = SimMist.builder().replyShape(ReplyShape.MIST_3_10).streams(2, 3).start();
             RawHttp http = new RawHttp(m.port())) {
            m.state().addPush("video+stream1", "rtmp://x/1");
            http.post("/api2", "{\"push_auto_add\":{\"stream\":\"video+\",\"target\":\"s3://b/$stream\"}}");

            JsonNode r = JSON.readTree(http.post("/api2", GET_STATE).body());
            assertThat(keys(r)).containsExactly("LTS", "active_streams", "authorize", "auto_push", "push_auto_list",
                    "push_list", "stats_streams");
            assertThat(r.get("active_streams").toString())
                    .isEqualTo("{\"video+stream0\":[\"push://\"],\"video+stream1\":[\"push://\"]}");
            assertThat(r.get("stats_streams").get("video+stream0").get(0).asInt()).isEqualTo(3);
            assertThat(r.get("push_list")).hasSize(1);
            assertThat(keys(r.get("push_list").get(0).get(5))).isSorted();
            assertThat(r.get("push_auto_list").toString())
                    .isEqualTo("[[\"video+\",\"s3://b/$stream\",null,null,null,null,null,null]]");
            assertThat(r.get("auto_push")).isEqualTo(r.get("push_auto_list"));

            JsonNode root = JSON.readTree(http.post("/", "{\"push_list\":true}").body());
            assertThat(keys(root)).containsExactly("LTS", "authorize", "config", "log", "push_list", "streams");
            assertThat(keys(root.get("config"))).isSorted();
        }
    }

    @Test
    void eachCollectionIsNullWhenItIsEmpty() throws Exception {
        try (SimMist m = SimMist.builder().replyShape(ReplyShape.MIST_3_10).streams(1, 1).start();
             RawHttp http = new RawHttp(m.port())) {
            JsonNode r = JSON.readTree(http.post("/api2", GET_STATE).body());
            assertThat(r.get("active_streams").isObject()).isTrue();
            assertThat(r.get("push_list").isNull()).as("no pushes").isTrue();
            assertThat(r.get("push_auto_list").isNull()).as("no auto-pushes").isTrue();
        }
    }

    @Test
    void theDefaultShapeKeepsRequestOrderAndEmptyCollections() throws Exception {
        try (SimMist m = SimMist.builder().start(); RawHttp http = new RawHttp(m.port())) {
            assertThat(http.post("/api2", GET_STATE).body()).isEqualTo("{\"LTS\":1,"
                    + "\"authorize\":{\"local\":true,\"status\":\"OK\"},\"active_streams\":{},\"stats_streams\":{},"
                    + "\"push_list\":[],\"push_auto_list\":[]}\n\n");
        }
    }

    @Test
    void theScenarioFileChoosesTheShape(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("s.yaml");
        Files.writeString(file, "replyShape: MIST_3_10\n");
        try (SimMist m = SimMist.builder().scenario(file).start(); RawHttp http = new RawHttp(m.port())) {
            assertThat(http.post("/api2", "{\"push_list\":true}").body()).contains("\"push_list\":null");
        }
        Files.writeString(file, "replyShape: sorted\n");
        assertThatThrownBy(() -> SimMist.builder().scenario(file).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("replyShape: 'sorted' (expected one of [INSERTION_ORDER, MIST_3_10])");
    }
}
