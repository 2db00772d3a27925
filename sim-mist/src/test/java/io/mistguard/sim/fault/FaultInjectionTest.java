package io.mistguard.sim.fault;

import static io.mistguard.sim.Timing.awaitRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mistguard.sim.MistReplies;
import io.mistguard.sim.RawHttp;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.junit.SimMistExtension;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each fault of FaultRule against a real loopback connection. */
class FaultInjectionTest {

    static final String GET_STATE = MistReplies.GET_STATE;
    static final String INVALIDATE_X = "{\"invalidate_sessions\":\"video+x\"}";

    @RegisterExtension
    static SimMistExtension mist = SimMistExtension.with(b -> b.streams(3, 2));

    @Test
    void hangHoldingLockOnOneStreamQueuesOtherCommandsUntilPeerCloses() throws Exception {
        SimMist m = mist.get();
        m.faults().add(FaultRule.forCommand("invalidate_sessions").stream("video+x").hangHoldingLock());
        m.faults().add(FaultRule.forCommand("active_streams").delay(Duration.ofMillis(200), Duration.ofMillis(300)));
        RawHttp hung = new RawHttp(m.port());
        hung.send("POST", "/", "application/x-www-form-urlencoded", RawHttp.form(INVALIDATE_X));
        awaitRequests(m, 1);
        try (RawHttp state = new RawHttp(m.port())) {
            state.socket.setSoTimeout(600);
            state.send("POST", "/", "application/x-www-form-urlencoded", RawHttp.form(GET_STATE));
            assertThatThrownBy(state::read).isInstanceOf(SocketTimeoutException.class);
            hung.close();
            assertThat(m.recording().awaitConnectionsClosedByPeer(1, Duration.ofSeconds(5))).isTrue();
            state.socket.setSoTimeout(5000);
            long start = System.nanoTime();
            assertThat(state.read().body()).contains("\"active_streams\"");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(150),
                    Duration.ofSeconds(3));
        }
        assertThat(m.recording().streamsFor("invalidate_sessions")).containsExactly("video+x");
        assertThat(m.recording().commandCount("active_streams")).isEqualTo(1);
    }

    @Test
    void clearingRulesReleasesTheLock() throws Exception {
        SimMist m = mist.get();
        m.faults().add(FaultRule.forCommand("invalidate_sessions").hangHoldingLock());
        try (RawHttp hung = new RawHttp(m.port()); RawHttp other = new RawHttp(m.port())) {
            hung.send("POST", "/", "application/x-www-form-urlencoded", RawHttp.form(INVALIDATE_X));
            awaitRequests(m, 1);
            other.socket.setSoTimeout(400);
            other.send("POST", "/api2", "application/json", "{\"push_list\":true}");
            assertThatThrownBy(other::read).isInstanceOf(SocketTimeoutException.class);
            m.faults().clear();
            other.socket.setSoTimeout(5000);
            assertThat(other.read().status()).isEqualTo(200);
        }
    }

    @Test
    void hangNeverAnswersAndRecordsThePeerClose() throws Exception {
        SimMist m = mist.get();
        m.faults().add(FaultRule.any().hang());
        try (RawHttp http = new RawHttp(m.port())) {
            http.socket.setSoTimeout(300);
            http.send("POST", "/", "application/x-www-form-urlencoded", RawHttp.form(GET_STATE));
            assertThatThrownBy(http::read).isInstanceOf(SocketTimeoutException.class);
        }
        assertThat(m.recording().awaitConnectionsClosedByPeer(1, Duration.ofSeconds(5))).isTrue();
        assertThat(m.recording().requestCount()).isEqualTo(1);
        assertThat(m.recording().maxConcurrent("push_list")).isEqualTo(1);
    }

    @Test
    void statusForTheNextNCallsThenNormal() throws Exception {
        mist.get().faults().add(FaultRule.forPath("/koekjes").status(503).times(2));
        try (RawHttp http = new RawHttp(mist.get().port())) {
            for (int expected : new int[] {503, 503, 200}) {
                http.send("GET", "/koekjes", null, "");
                assertThat(http.read().status()).isEqualTo(expected);
            }
        }
        assertThat(mist.get().faults().rules()).isEmpty();
    }

    @Test
    void closeWithoutResponse() throws Exception {
        mist.get().faults().add(FaultRule.forCommand("push_list").closeWithoutResponse());
        try (RawHttp http = new RawHttp(mist.get().port())) {
            assertThat(http.post("/", GET_STATE)).isNull();
        }
    }

    @Test
    void truncatedAndResetCutTheBody() throws Exception {
        for (FaultRule rule : new FaultRule[] {FaultRule.any().truncated(), FaultRule.any().resetMidResponse()}) {
            mist.get().faults().clear();
            mist.get().faults().add(rule);
            try (RawHttp http = new RawHttp(mist.get().port())) {
                assertThatThrownBy(() -> http.post("/", GET_STATE)).as(rule.toString()).isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void malformedJsonIsNotJson() throws Exception {
        mist.get().faults().add(FaultRule.any().malformedJson());
        try (RawHttp http = new RawHttp(mist.get().port())) {
            String body = http.post("/", GET_STATE).body();
            assertThat(body).endsWith("\n\n");
            assertThatThrownBy(() -> new ObjectMapper().readTree(body)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void hugeBodyIsValidJsonOfTheRequestedSize() throws Exception {
        mist.get().faults().add(FaultRule.any().hugeBody(2_000_000));
        try (RawHttp http = new RawHttp(mist.get().port())) {
            String body = http.post("/api2", "{\"push_list\":true}").body();
            assertThat(body.length()).isGreaterThanOrEqualTo(2_000_000);
            assertThat(new ObjectMapper().readTree(body).get("padding").asText()).startsWith("xxx");
        }
    }

    @Test
    void dribbleAndSlowFirstByteStillDeliverTheWholeReply() throws Exception {
        for (FaultRule rule : new FaultRule[] {FaultRule.any().dribble(20, Duration.ofMillis(5)),
                FaultRule.any().slowFirstByte(Duration.ofMillis(300))}) {
            mist.get().faults().clear();
            mist.get().faults().add(rule);
            try (RawHttp http = new RawHttp(mist.get().port())) {
                long start = System.nanoTime();
                String body = http.post("/api2", "{\"nuke_stream\":\"a\"}").body();
                assertThat(body).isEqualTo("{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"}}\n\n");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(15));
            }
        }
    }

    @Test
    void probabilityZeroNeverFires() throws Exception {
        mist.get().faults().add(FaultRule.any().status(500).probability(0));
        try (RawHttp http = new RawHttp(mist.get().port())) {
            for (int i = 0; i < 20; i++) {
                assertThat(http.post("/api2", "{\"push_list\":true}").status()).isEqualTo(200);
            }
        }
    }
}
