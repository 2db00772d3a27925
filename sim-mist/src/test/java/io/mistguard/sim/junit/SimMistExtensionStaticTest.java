package io.mistguard.sim.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link SimMistExtension} on a static field: one sim-mist for the class, with faults, recording and
 * trigger outcomes cleared before each test (state, by design, is not).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SimMistExtensionStaticTest {

    @RegisterExtension
    static SimMistExtension mist = SimMistExtension.with(b -> b.streams(2, 1).triggerAttempts(1)
            .triggerAttemptTimeout(Duration.ofSeconds(2)).triggerUrl("http://127.0.0.1:1/unreachable"));

    static SimMist first;

    @Test
    @Order(1)
    void leavesFaultsRecordingAndTriggerOutcomesBehind() throws Exception {
        first = mist.get();
        first.faults().add(FaultRule.forCommand("push_list").status(503));
        assertThat(post(first, "{\"push_list\":true}").statusCode()).isEqualTo(503);
        first.triggers().send("PUSH_END", List.of("1"), false).get();
        first.state().addStream("video+extra", 0);

        assertThat(first.faults().rules()).hasSize(1);
        assertThat(first.recording().requestCount()).isEqualTo(1);
        assertThat(first.recording().connectionsOpened()).isEqualTo(1);
        assertThat(first.triggers().outcomes()).hasSize(1);
    }

    @Test
    @Order(2)
    void nextTestSeesTheSameSimMistCleared() throws Exception {
        assumeTrue(first != null, "runs after leavesFaultsRecordingAndTriggerOutcomesBehind");
        SimMist m = mist.get();
        assertThat(m).isSameAs(first);
        assertThat(m.faults().rules()).isEmpty();
        assertThat(m.recording().requestCount()).isZero();
        assertThat(m.recording().commandCount("push_list")).isZero();
        assertThat(m.recording().connectionsOpened()).isZero();
        assertThat(m.triggers().outcomes()).isEmpty();
        assertThat(m.state().streamNames()).contains("video+extra");
        assertThat(post(m, "{\"push_list\":true}").statusCode()).isEqualTo(200);
    }

    static HttpResponse<String> post(SimMist m, String json) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.port() + "/api2"))
                .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
