package io.mistguard.sim.api;

import static io.mistguard.sim.MistReplies.assertOk;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.RawHttp;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.Timing;
import io.mistguard.sim.fault.FaultRule;
import io.mistguard.sim.junit.SimMistExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Mist serves one request per socket read (mist-api.md §8): a request pipelined behind another in
 * the same read is answered only when more bytes arrive. sim-mist does the same and counts such
 * requests, so a proxy's tests can assert it never pipelines to Mist.
 */
class PipeliningTest {

    @RegisterExtension
    static SimMistExtension mist = SimMistExtension.with(b -> b.streams(2, 1).controlPort(0));

    static String get(String json) {
        return "POST /api2 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + json.length() + "\r\n\r\n" + json;
    }

    @Test
    void aSecondRequestInTheSameReadIsAnsweredOnlyWhenMoreBytesArrive() throws Exception {
        SimMist m = mist.get();
        try (RawHttp http = new RawHttp(m.port())) {
            http.sendRaw(get("{\"push_list\":true}") + get("{\"active_streams\":true}"));
            assertThat(assertOk(http.read()).has("push_list")).isTrue();
            assertThat(http.silentFor(300)).as("the pipelined request waits").isTrue();
            assertThat(m.recording().requestCount()).isEqualTo(1);
            assertThat(m.recording().pipelinedRequests()).isEqualTo(1);

            // A new request brings bytes: the one waiting is served, the new one waits in its turn.
            http.sendRaw(get("{\"stats_streams\":[\"clients\"]}"));
            assertThat(assertOk(http.read()).has("active_streams")).isTrue();
            assertThat(http.silentFor(300)).isTrue();
            assertThat(m.recording().pipelinedRequests()).isEqualTo(2);

            // Any bytes will do: a stray CRLF between requests, which HTTP parsers skip.
            http.sendRaw("\r\n");
            assertThat(assertOk(http.read()).has("stats_streams")).isTrue();
        }
        assertThat(m.recording().requestCount()).isEqualTo(3);
    }

    @Test
    void bytesThatArriveWhileARequestIsServedAreFoundOnceItIsAnswered() throws Exception {
        SimMist m = mist.get();
        m.faults().add(FaultRule.forCommand("push_list").delay(Duration.ofMillis(300)));
        try (RawHttp http = new RawHttp(m.port())) {
            http.sendRaw(get("{\"push_list\":true}"));
            Timing.awaitRequests(m, 1);
            http.sendRaw(get("{\"active_streams\":true}"));
            assertThat(assertOk(http.read()).has("push_list")).isTrue();
            assertThat(assertOk(http.read()).has("active_streams")).isTrue();
        }
        // Sent before the first answer: pipelined, even though it came in a read of its own.
        assertThat(m.recording().pipelinedRequests()).isEqualTo(1);
    }

    @Test
    void aClientThatWaitsForEachReplyIsNotPipelining() throws Exception {
        SimMist m = mist.get();
        try (RawHttp http = new RawHttp(m.port())) {
            for (int i = 0; i < 5; i++) {
                assertOk(http.post("/api2", "{\"push_list\":true}"));
            }
        }
        assertThat(m.recording().requestCount()).isEqualTo(5);
        assertThat(m.recording().pipelinedRequests()).isZero();
    }

    /**
     * Regression (found by the chaos soak): a dribbled reply counted as unanswered until a final empty
     * write one interval after its last byte, so a client that sent its next request as soon as the
     * body was complete was counted as pipelining. A reply is answered with its last byte.
     */
    @Test
    void aRequestSentRightAfterADribbledBodyIsCompleteIsNotPipelinedRegression() throws Exception {
        SimMist m = mist.get();
        m.faults().add(FaultRule.forCommand("push_list").dribble(64, Duration.ofMillis(300)).times(1));
        try (RawHttp http = new RawHttp(m.port())) {
            assertOk(http.post("/api2", "{\"push_list\":true}"));
            assertOk(http.post("/api2", "{\"push_list\":true}"));
        }
        assertThat(m.recording().pipelinedRequests()).isZero();
    }

    @Test
    void theControlPortReportsTheCount() throws Exception {
        SimMist m = mist.get();
        try (RawHttp http = new RawHttp(m.port())) {
            http.sendRaw(get("{\"push_list\":true}") + get("{\"push_list\":true}"));
            assertOk(http.read());
        }
        String recording = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + m.controlPort() + "/recording")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(recording).contains("\"pipelinedRequests\":1");
    }
}
