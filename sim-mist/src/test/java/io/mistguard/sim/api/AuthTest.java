package io.mistguard.sim.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mistguard.sim.RawHttp;
import io.mistguard.sim.SimMist;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Mist's per-connection auth (mist-api.md §2): proxy headers disable local auto-auth. */
class AuthTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static SimMist mist;

    @BeforeAll
    static void start() {
        mist = SimMist.builder().account("admin", "s3cret").start();
    }

    @AfterAll
    static void stop() {
        mist.close();
    }

    @Test
    void proxiedRequestGetsChallengeAfterOneSecondThenLogsInOnThatConnection() throws Exception {
        try (RawHttp http = new RawHttp(mist.port())) {
            long start = System.nanoTime();
            JsonNode chall = JSON.readTree(http.post("/", "{\"push_list\":true}", "X-Real-IP: 10.0.0.1").body());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
            assertThat(chall.toString()).matches("\\{\"authorize\":\\{\"challenge\":\"[0-9a-f]{32}\",\"status\":\"CHALL\"}}");
            String answer = Md5.challengeAnswer("s3cret", chall.get("authorize").get("challenge").asText());
            JsonNode ok = JSON.readTree(http.post("/api2", "{\"authorize\":{\"username\":\"admin\",\"password\":\""
                    + answer + "\"},\"push_list\":true}", "X-Real-IP: 10.0.0.1").body());
            assertThat(ok.get("authorize").get("status").asText()).isEqualTo("OK");
            assertThat(ok.has("push_list")).isTrue();
        }
    }

    @Test
    void fourFailuresCloseTheConnection() throws Exception {
        try (RawHttp http = new RawHttp(mist.port())) {
            for (int i = 0; i < 4; i++) {
                assertThat(http.post("/", "{\"authorize\":{\"username\":\"admin\",\"password\":\"bad\"}}",
                        "X-Forwarded-For: 10.0.0.2").body()).contains("CHALL");
            }
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void noAccountsAnswersNoacc() throws Exception {
        try (SimMist empty = SimMist.builder().noAccounts().start(); RawHttp http = new RawHttp(empty.port())) {
            assertThat(http.post("/", "{\"push_list\":true}").body()).isEqualTo("{\"authorize\":{\"status\":\"NOACC\"}}\n\n");
        }
    }
}
