package io.mistguard.sim.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mistguard.sim.RawHttp;
import io.mistguard.sim.SimMist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Trust is per TCP connection and sticks (mist-api.md §8): whatever authorised a connection (being
 * local without proxy headers, a CHALL login in the body or in an {@code Authorization: json} header)
 * authorises every later request on it, proxy headers or not; a fresh connection with a proxy header
 * gets {@code CHALL}. Runs without Catalyst's fork penalty, as upstream Mist 3.10 does.
 */
class ConnectionTrustTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String PUSH_LIST = "{\"push_list\":true}";
    static final String LOCAL_OK = "{\"local\":true,\"status\":\"OK\"}";
    static SimMist mist;

    @BeforeAll
    static void start() {
        mist = SimMist.builder().account("admin", "s3cret").catalystLoginPenalty(false).start();
    }

    @AfterAll
    static void stop() {
        mist.close();
    }

    static JsonNode post(RawHttp http, String json, String... headers) throws Exception {
        return JSON.readTree(http.post("/api2", json, headers).body());
    }

    static String login(String challenge) {
        return "{\"username\":\"admin\",\"password\":\"" + Md5.challengeAnswer("s3cret", challenge) + "\"}";
    }

    /** The challenge for connections from 127.0.0.1 (the same for every connection of the day). */
    static String challenge() throws Exception {
        try (RawHttp http = new RawHttp(mist.port())) {
            return post(http, PUSH_LIST, "X-Real-IP: 10.0.0.1").get("authorize").get("challenge").asText();
        }
    }

    @Test
    void aLocalConnectionWithoutProxyHeadersStaysTrustedWhenLaterRequestsCarryThem() throws Exception {
        try (RawHttp http = new RawHttp(mist.port())) {
            assertThat(post(http, PUSH_LIST).get("authorize").toString()).isEqualTo(LOCAL_OK);
            for (String header : new String[] {"X-Forwarded-For: 10.0.0.1", "X-Real-IP: 10.0.0.1"}) {
                JsonNode r = post(http, PUSH_LIST, header);
                assertThat(r.get("authorize").toString()).as(header).isEqualTo(LOCAL_OK);
                assertThat(r.has("push_list")).as("the command ran").isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"X-Forwarded-For: 10.0.0.1", "X-Real-IP: 10.0.0.1"})
    void aFreshConnectionWithAProxyHeaderGetsChall(String header) throws Exception {
        try (RawHttp http = new RawHttp(mist.port())) {
            assertThat(post(http, PUSH_LIST, header).toString())
                    .matches("\\{\"authorize\":\\{\"challenge\":\"[0-9a-f]{32}\",\"status\":\"CHALL\"}}");
        }
    }

    @Test
    void aChallLoginSticksToItsConnectionOnly() throws Exception {
        try (RawHttp http = new RawHttp(mist.port()); RawHttp other = new RawHttp(mist.port())) {
            String challenge = post(http, PUSH_LIST, "X-Forwarded-For: 10.0.0.1").get("authorize").get("challenge")
                    .asText();
            JsonNode in = post(http, "{\"authorize\":" + login(challenge) + "}", "X-Forwarded-For: 10.0.0.1");
            assertThat(in.get("authorize").toString()).isEqualTo("{\"status\":\"OK\"}");

            JsonNode later = post(http, PUSH_LIST, "X-Forwarded-For: 10.0.0.1");
            assertThat(later.get("authorize").get("status").asText()).isEqualTo("OK");
            assertThat(later.has("push_list")).isTrue();
            // Another connection from the same peer is not logged in by it.
            assertThat(post(other, PUSH_LIST, "X-Forwarded-For: 10.0.0.1").get("authorize").get("status").asText())
                    .isEqualTo("CHALL");
        }
    }

    @Test
    void anAuthorizationJsonHeaderLogsInAndSticks() throws Exception {
        String header = "Authorization: json " + login(challenge());
        try (RawHttp http = new RawHttp(mist.port())) {
            JsonNode in = post(http, PUSH_LIST, "X-Forwarded-For: 10.0.0.1", header);
            assertThat(in.get("authorize").toString()).isEqualTo("{\"status\":\"OK\"}");
            assertThat(in.has("push_list")).isTrue();
            assertThat(post(http, PUSH_LIST, "X-Forwarded-For: 10.0.0.1").get("authorize").get("status").asText())
                    .isEqualTo("OK");
        }
    }

    @Test
    void withoutTheForkPenaltyFailedLoginsNeitherPauseNorClose() throws Exception {
        String wrong = "{\"authorize\":{\"username\":\"admin\",\"password\":\"bad\"}}";
        try (RawHttp http = new RawHttp(mist.port())) {
            long start = System.nanoTime();
            for (int i = 0; i < 6; i++) {
                assertThat(post(http, wrong, "X-Real-IP: 10.0.0.1").get("authorize").get("status").asText())
                        .isEqualTo("CHALL");
            }
            // With the fork's 1 s pause six replies would take at least 6 s: a bound that cannot flake.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
            assertThat(http.silentFor(100)).as("still open").isTrue();
            assertThat(post(http, "{\"authorize\":" + login(challenge()) + "}", "X-Real-IP: 10.0.0.1")
                    .get("authorize").get("status").asText()).isEqualTo("OK");
        }
    }

    @Test
    void theScenarioFileSwitchesTheForkPenalty(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("s.yaml");
        Files.writeString(file, "catalystLoginPenalty: false\n");
        try (SimMist upstream = SimMist.builder().scenario(file).start(); RawHttp http = new RawHttp(upstream.port())) {
            for (int i = 0; i < 5; i++) {
                assertThat(http.post("/api2", PUSH_LIST, "X-Real-IP: 10.0.0.1").body()).contains("CHALL");
            }
            assertThat(http.silentFor(100)).isTrue();
        }
    }
}
