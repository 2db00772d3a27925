package io.mistguard.sim.record;

import static io.mistguard.sim.MistReplies.assertOk;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.RawHttp;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.Timing;
import io.mistguard.sim.fault.FaultRule;
import io.mistguard.sim.junit.SimMistExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What {@link Recording} reports: in-flight high-water marks per command (a request is in flight
 * from its arrival until its reply is written, including time spent waiting for the lock),
 * stream names in arrival order, and connections.
 */
class RecordingTest {

    static final String PUSH_LIST = "{\"push_list\":true}";

    @RegisterExtension
    static SimMistExtension mist = SimMistExtension.with(b -> b.streams(2, 1));

    @Test
    void overlappingSlowFirstByteRequestsAreConcurrent() throws Exception {
        SimMist m = mist.get();
        // slowFirstByte waits on the event loop, not under the lock: both execute and then wait together.
        m.faults().add(FaultRule.forCommand("push_list").slowFirstByte(Duration.ofMillis(800)));
        try (RawHttp a = new RawHttp(m.port()); RawHttp b = new RawHttp(m.port())) {
            a.send("POST", "/api2", "application/json", PUSH_LIST);
            b.send("POST", "/api2", "application/json", PUSH_LIST);
            assertOk(a.read());
            assertOk(b.read());
        }
        assertThat(m.recording().maxConcurrent("push_list")).isEqualTo(2);
        assertThat(m.recording().maxConcurrent("active_streams")).isZero();
    }

    @Test
    void aClientThatWaitsForEachReplyStaysAtOne() throws Exception {
        SimMist m = mist.get();
        m.faults().add(FaultRule.forCommand("push_list").delay(Duration.ofMillis(50)));
        try (RawHttp a = new RawHttp(m.port()); RawHttp b = new RawHttp(m.port())) {
            for (int i = 0; i < 3; i++) {
                assertOk(a.post("/api2", PUSH_LIST));
                assertOk(b.post("/api2", PUSH_LIST));
            }
        }
        assertThat(m.recording().commandCount("push_list")).isEqualTo(6);
        assertThat(m.recording().maxConcurrent("push_list")).isEqualTo(1);
    }

    @Test
    void requestsQueuedBehindALockHoldingDelayAreSerialisedYetCountAsInFlight() throws Exception {
        SimMist m = mist.get();
        Duration delay = Duration.ofMillis(300);
        m.faults().add(FaultRule.forCommand("push_list").delay(delay));
        try (RawHttp a = new RawHttp(m.port()); RawHttp b = new RawHttp(m.port())) {
            long start = System.nanoTime();
            a.send("POST", "/api2", "application/json", PUSH_LIST);
            b.send("POST", "/api2", "application/json", PUSH_LIST);
            assertOk(a.read());
            assertOk(b.read());
            // One after the other under the lock: the later reply took at least two delays.
            assertThat(Timing.since(start)).isGreaterThanOrEqualTo(delay.multipliedBy(2));
        }
        // The caller had two requests out at once, even though Mist ran them one at a time.
        assertThat(m.recording().maxConcurrent("push_list")).isEqualTo(2);
    }

    @Test
    void streamsForListsStreamNamesInArrivalOrder() throws Exception {
        SimMist m = mist.get();
        try (RawHttp http = new RawHttp(m.port())) {
            http.post("/api2", "{\"invalidate_sessions\":\"video+b\"}");
            http.post("/api2", "{\"invalidate_sessions\":[\"video+c\",\"video+a\"],\"stop_sessions\":\"video+z\"}");
            http.post("/api2", "{\"push_list\":true}");
            http.post("/api2", "{\"invalidate_sessions\":\"video+b\"}");
        }
        assertThat(m.recording().streamsFor("invalidate_sessions"))
                .containsExactly("video+b", "video+c", "video+a", "video+z", "video+b");
        assertThat(m.recording().streamsFor("stop_sessions")).containsExactly("video+c", "video+a", "video+z");
        assertThat(m.recording().streamsFor("push_list")).isEmpty();
        assertThat(m.recording().streamsFor("nuke_stream")).isEmpty();
    }

    /**
     * On a sim-mist of its own: the shared one may still see the previous tests' connections close
     * after its recording was cleared, which counted one peer close too many (flaky under load).
     */
    @Test
    void connectionsOpenedCountsConnectionsNotRequests() throws Exception {
        try (SimMist m = SimMist.builder().streams(2, 1).start()) {
            countsConnectionsNotRequests(m);
        }
    }

    private static void countsConnectionsNotRequests(SimMist m) throws Exception {
        try (RawHttp a = new RawHttp(m.port()); RawHttp b = new RawHttp(m.port())) {
            for (int i = 0; i < 3; i++) {
                assertOk(a.post("/api2", PUSH_LIST));
            }
            assertOk(b.post("/api2", PUSH_LIST));
            assertThat(m.recording().connectionsOpened()).isEqualTo(2);
        }
        assertThat(m.recording().awaitConnectionsClosedByPeer(2, Duration.ofSeconds(5))).isTrue();
        // A connection sim-mist closes itself (the HTML page) is opened but not closed by the peer.
        try (RawHttp html = new RawHttp(m.port())) {
            html.send("GET", "/", null, "");
            assertThat(html.read().status()).isEqualTo(200);
            assertThat(html.closedByServer()).isTrue();
        }
        try (RawHttp last = new RawHttp(m.port())) {
            assertOk(last.post("/api2", PUSH_LIST));
        }
        assertThat(m.recording().awaitConnectionsClosedByPeer(3, Duration.ofSeconds(5))).isTrue();
        assertThat(m.recording().connectionsOpened()).isEqualTo(4);
        assertThat(m.recording().connectionsClosedByPeer()).isEqualTo(3);
        assertThat(m.recording().requestCount()).isEqualTo(6);
    }
}
