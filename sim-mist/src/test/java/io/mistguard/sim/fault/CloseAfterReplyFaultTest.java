package io.mistguard.sim.fault;

import static io.mistguard.sim.MistReplies.assertOk;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.RawHttp;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.junit.SimMistExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code closeAfterReply} fault: a complete reply with its Content-Length and no
 * {@code Connection: close}, then the connection is closed, so a client learns of it only when it
 * reuses the connection. Selected per command or path, counted, or by chance, like every fault.
 */
class CloseAfterReplyFaultTest {

    @RegisterExtension
    static SimMistExtension mist = SimMistExtension.with(b -> b.streams(3, 1));

    @Test
    void perCommandTheCommandRunsItsReplyIsCompleteAndThenTheConnectionCloses() throws Exception {
        SimMist m = mist.get();
        m.faults().add(FaultRule.forCommand("nuke_stream").closeAfterReply());
        try (RawHttp http = new RawHttp(m.port())) {
            assertOk(http.post("/api2", "{\"push_list\":true}"));
            RawHttp.Response r = http.post("/api2", "{\"nuke_stream\":\"video+stream0\"}");
            assertThat(r.body()).isEqualTo("{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"}}\n\n");
            assertThat(r.headers()).containsKey("content-length").doesNotContainKey("connection");
            assertThat(http.closedByServer()).isTrue();
        }
        assertThat(m.state().streamNames()).doesNotContain("video+stream0");
        assertThat(m.recording().connectionsClosedByPeer()).as("closed by sim-mist, not the peer").isZero();
    }

    @Test
    void perPathForTheNextNCallsThenNormal() throws Exception {
        SimMist m = mist.get();
        m.faults().add(FaultRule.forPath("/api2").closeAfterReply().times(2));
        for (int i = 0; i < 2; i++) {
            try (RawHttp http = new RawHttp(m.port())) {
                assertOk(http.post("/api2", "{\"push_list\":true}"));
                assertThat(http.closedByServer()).as("call %d", i).isTrue();
            }
        }
        try (RawHttp http = new RawHttp(m.port())) {
            assertOk(http.post("/api2", "{\"push_list\":true}"));
            assertOk(http.post("/api2", "{\"push_list\":true}"));
        }
        assertThat(m.faults().rules()).isEmpty();
    }

    @Test
    void probabilityZeroNeverCloses() throws Exception {
        mist.get().faults().add(FaultRule.any().closeAfterReply().probability(0));
        try (RawHttp http = new RawHttp(mist.get().port())) {
            for (int i = 0; i < 10; i++) {
                assertOk(http.post("/api2", "{\"push_list\":true}"));
            }
        }
        assertThat(mist.get().recording().connectionsOpened()).isEqualTo(1);
    }

    @Test
    void scenarioAndControlSpellingIsCloseAfterReply() throws Exception {
        FaultRule rule = FaultSpecs.fromMap(Map.of("path", "/koekjes", "action", "closeAfterReply", "times", 1));
        assertThat(rule.action()).isEqualTo(FaultAction.CLOSE_AFTER_REPLY);
        mist.get().faults().add(rule);
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/koekjes", null, "");
            assertThat(http.read().body()).contains("mist_viewers");
            assertThat(http.closedByServer()).isTrue();
        }
    }
}
