package io.mistguard.sim.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.mistguard.sim.RawHttp;
import io.mistguard.sim.SimMist;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The trigger sender against a real loopback receiver (mist-api.md §5). */
class TriggerTest {

    record Received(Map<String, List<String>> headers, String body) {
    }

    HttpServer receiver;
    final Queue<Received> received = new ConcurrentLinkedQueue<>();
    volatile IntSupplier status = () -> 200;
    volatile String answer = "true";

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/api/mist/trigger", ex -> {
            received.add(new Received(ex.getRequestHeaders(),
                    new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            byte[] b = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status.getAsInt(), b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    SimMist mist(int streams, int viewers) {
        return SimMist.builder().streams(streams, viewers).triggerAttempts(3)
                .triggerAttemptTimeout(Duration.ofMillis(500))
                .triggerUrl("http://127.0.0.1:" + receiver.getAddress().getPort() + "/api/mist/trigger").start();
    }

    @Test
    void invalidateSessionsSendsOneUserNewPerViewerWithSevenLines() throws Exception {
        try (SimMist m = mist(2, 3); RawHttp http = new RawHttp(m.port())) {
            http.post("/", "{\"invalidate_sessions\":[\"video+stream1\"]}");
            assertThat(m.triggers().awaitOutcomes(3, Duration.ofSeconds(5))).isTrue();
            assertThat(received).hasSize(3);
            Received r = received.peek();
            assertThat(r.headers().get("X-trigger")).containsExactly("USER_NEW");
            assertThat(r.headers()).containsKeys("X-trigger-uuid", "X-uuid", "X-version");
            assertThat(r.headers().get("Content-type")).containsExactly("text/plain");
            assertThat(r.body().split("\n", -1)).hasSize(7).startsWith("video+stream1");
            assertThat(r.body()).doesNotEndWith("\n");
        }
    }

    @Test
    void failingReceiverIsRetriedWithTheSameUuidThenDefaultsToTrue() throws Exception {
        status = () -> 500;
        answer = "false";
        try (SimMist m = mist(0, 0)) {
            TriggerOutcome o = m.triggers().send("USER_NEW", List.of("a", "b"), true).get();
            assertThat(o.attemptResults()).containsExactly("500", "500", "500");
            assertThat(o.usedDefault()).isTrue();
            assertThat(o.allowed()).isTrue();
            assertThat(received).extracting(r -> r.headers().get("X-trigger-uuid").get(0)).containsOnly(o.triggerUuid());
        }
    }

    @Test
    void falseOn200DeniesAndRemovesTheSession() throws Exception {
        answer = " False\n";
        AtomicInteger calls = new AtomicInteger();
        status = () -> calls.incrementAndGet() > 0 ? 200 : 500;
        try (SimMist m = mist(1, 2); RawHttp http = new RawHttp(m.port())) {
            http.post("/", "{\"invalidate_sessions\":\"video+stream0\"}");
            assertThat(m.triggers().awaitOutcomes(2, Duration.ofSeconds(5))).isTrue();
            assertThat(m.triggers().outcomes()).allMatch(o -> !o.allowed() && !o.usedDefault());
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!m.state().sessions("video+stream0").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(m.state().sessions("video+stream0")).isEmpty();
        }
    }

    @Test
    void reapingADeadPushFiresPushEnd() throws Exception {
        try (SimMist m = mist(1, 0); RawHttp http = new RawHttp(m.port())) {
            long pid = m.state().addPush("video+stream0", "rtmp://x/y");
            m.state().killPush(pid);
            String body = http.post("/api2", "{\"push_list\":true}").body();
            assertThat(body).contains("\"push_list\":[]");
            assertThat(m.triggers().awaitOutcomes(1, Duration.ofSeconds(5))).isTrue();
            assertThat(m.triggers().outcomes("PUSH_END").get(0).payload()).startsWith(Long.toString(pid));
        }
    }

    @ParameterizedTest
    @CsvSource({"true,true", "' Yes',true", "1,true", "continue,true", "false,false", "0,false", "'',false",
            "nope,false"})
    void booleanAnswersAreReadByPrefix(String answerText, boolean expected) {
        assertThat(TriggerSender.parseBoolean(answerText)).isEqualTo(expected);
    }
}
