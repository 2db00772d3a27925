package io.mistguard.sim.api;

import static io.mistguard.sim.MistReplies.GET_STATE;
import static io.mistguard.sim.MistReplies.assertOk;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mistguard.sim.RawHttp;
import io.mistguard.sim.junit.SimMistExtension;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regressions: sim-mist must read a request's command, variables and headers exactly as Mist 3.10
 * does (lib/http_parser.cpp, controller_api.cpp; mist-api.md §8), and as mistguard's classifier
 * does. Mist keeps headers and variables in maps, so a later header line or variable of a name
 * replaces an earlier one; body variables are parsed only for a {@code POST} whose
 * {@code Content-Type} is exactly {@code application/x-www-form-urlencoded}, after the query's, and
 * replace them. sim-mist used to take the first of each, match the form type loosely, and decode
 * variables with Netty's rules ({@code ;} a separator, 1024 variables at most, an error on a bad
 * escape).
 */
class RequestParsingRegressionTest {

    static final String BARE = "{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"}}\n\n";
    static final String FORM = "application/x-www-form-urlencoded";
    static final String PUSH_STOP = "{\"push_stop\":[999999]}";
    static final String NUKE = "{\"nuke_stream\":\"video+nosuchstream\"}";
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static SimMistExtension mist = SimMistExtension.with(b -> b.streams(2, 1).catalystLoginPenalty(false));

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static long executed(String command) {
        return mist.get().recording().executedCount(command);
    }

    @Test
    void repeatedCommandVariableLastWinsRegression() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/api2?command=" + enc(PUSH_STOP) + "&command=" + enc(GET_STATE), null, "");
            assertThat(assertOk(http.read()).has("push_list")).isTrue();
        }
        assertThat(executed("push_list")).isEqualTo(1);
        assertThat(executed("push_stop")).as("the first command variable is replaced, so it never runs").isZero();
        assertThat(mist.get().recording().requests().get(0).commandKeys())
                .containsExactlyInAnyOrder("active_streams", "stats_streams", "push_list", "push_auto_list");
    }

    @Test
    void repeatedCommandVariableLastWinsEvenWhenTheLastIsAWriteRegression() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/api2?command=" + enc(GET_STATE) + "&command=" + enc(PUSH_STOP), null, "");
            assertThat(assertOk(http.read()).has("push_list")).isFalse();
        }
        assertThat(executed("push_stop")).isEqualTo(1);
        assertThat(executed("push_list")).isZero();
    }

    @Test
    void repeatedFormCommandVariableLastWinsRegression() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("POST", "/api2", FORM, "command=" + enc(GET_STATE) + "&command=" + enc(NUKE));
            assertThat(assertOk(http.read()).has("push_list")).isFalse();
        }
        assertThat(executed("nuke_stream")).isEqualTo(1);
        assertThat(executed("push_list")).isZero();
    }

    @Test
    void formContentTypeWithParametersIsNotAFormRegression() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("POST", "/api2", FORM + "; charset=utf-8", RawHttp.form(NUKE));
            assertThat(http.read().body()).isEqualTo(BARE);
            http.send("POST", "/api2", "Application/X-WWW-Form-Urlencoded", RawHttp.form(NUKE));
            assertThat(http.read().body()).as("the type is compared exactly, case too").isEqualTo(BARE);
        }
        assertThat(executed("nuke_stream")).isZero();
        assertThat(mist.get().recording().requests()).allSatisfy(r -> assertThat(r.commandKeys()).isEmpty());
    }

    @Test
    void repeatedContentTypeLastWinsRegression() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("POST", "/api2", "application/json", RawHttp.form(NUKE), "Content-Type: " + FORM);
            assertOk(http.read());
        }
        assertThat(executed("nuke_stream")).as("the last Content-Type (the form) is read").isEqualTo(1);
    }

    @Test
    void repeatedContentTypeLastWinsForARawJsonBodyRegression() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("POST", "/api2", FORM, NUKE, "Content-Type: application/json");
            assertOk(http.read());
            assertThat(executed("nuke_stream")).as("the last Content-Type is application/json").isEqualTo(1);
            http.send("POST", "/api2", "application/json", NUKE, "Content-Type: application/json; charset=utf-8");
            assertThat(http.read().body()).isEqualTo(BARE);
        }
        assertThat(executed("nuke_stream")).as("the last Content-Type is not exactly application/json")
                .isEqualTo(1);
    }

    /**
     * Mist's header map is case-sensitive, with a lookup that prefers the exact name
     * ({@code HTTP::Parser::GetHeader}): of {@code Content-Type} and {@code content-type}, Mist reads
     * {@code Content-Type} whichever line came last.
     */
    @Test
    void mixedCaseContentTypeExactNameWinsRegression() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("POST", "/api2", FORM, RawHttp.form(NUKE), "content-type: application/json");
            assertOk(http.read());
            http.send("POST", "/api2", null, RawHttp.form(NUKE), "content-type: application/json",
                    "Content-Type: " + FORM);
            assertOk(http.read());
            http.send("POST", "/api2", null, RawHttp.form(NUKE), "content-type: " + FORM);
            assertOk(http.read());
        }
        assertThat(executed("nuke_stream")).isEqualTo(3);
    }

    @Test
    void formBodyIsReadOnlyForAPostRegression() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            for (String method : new String[] {"PUT", "PATCH", "GET", "post"}) {
                http.send(method, "/api2", FORM, RawHttp.form(NUKE));
                assertThat(http.read().body()).as(method).isEqualTo(BARE);
            }
        }
        assertThat(executed("nuke_stream")).isZero();
    }

    @Test
    void formCommandVariableReplacesTheQueryOne() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("POST", "/api2?command=" + enc(PUSH_STOP), FORM, RawHttp.form(NUKE));
            assertOk(http.read());
        }
        assertThat(executed("nuke_stream")).isEqualTo(1);
        assertThat(executed("push_stop")).isZero();
    }

    @Test
    void emptyFormCommandVariableHidesTheQueryOneRegression() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("POST", "/api2?command=" + enc(NUKE), FORM, "command=");
            assertThat(http.read().body()).isEqualTo(BARE);
            http.send("POST", "/api2?command=" + enc(NUKE), FORM, "command");
            assertThat(http.read().body()).as("a name without '=' is an empty value").isEqualTo(BARE);
        }
        assertThat(executed("nuke_stream")).isZero();
    }

    @Test
    void semicolonDoesNotSeparateVariablesRegression() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/api2?x=1;command=" + enc(NUKE), null, "");
            assertThat(http.read().body()).isEqualTo(BARE);
            http.send("POST", "/api2", FORM, "x=1;command=" + enc(NUKE));
            assertThat(http.read().body()).isEqualTo(BARE);
        }
        assertThat(executed("nuke_stream")).isZero();
    }

    @Test
    void commandAfterMoreThan1024VariablesIsStillReadRegression() throws Exception {
        // Netty's QueryStringDecoder stops at 1024 variables; short ones keep the request line under 4 KiB.
        String padding = "a&".repeat(1100);
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("POST", "/api2", FORM, padding + RawHttp.form(NUKE));
            assertOk(http.read());
            http.send("GET", "/api2?" + padding + "command=" + enc(NUKE), null, "");
            assertOk(http.read());
        }
        assertThat(executed("nuke_stream")).isEqualTo(2);
    }

    @Test
    void malformedPercentEscapeIsDecodedLikeMistRegression() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/api2?command=%zz%7B", null, "");
            RawHttp.Response r = http.read();
            assertThat(r).as("answered, not dropped").isNotNull();
            assertThat(r.body()).isEqualTo(BARE);
            http.send("POST", "/api2", FORM, "command=%");
            assertThat(http.read().body()).isEqualTo(BARE);
            http.send("GET", "/ap%692?command=" + enc(NUKE) + "&x=%", null, "");
            assertOk(http.read());
        }
        assertThat(executed("nuke_stream")).isEqualTo(1);
    }

    @Test
    void repeatedJsonpVariableLastWinsRegression() throws Exception {
        String query = "/api2?command=" + enc(NUKE);
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", query + "&jsonp=first&jsonp=last", null, "");
            assertThat(http.read().body()).startsWith("last({");
            http.send("GET", query + "&callback=first&callback=last", null, "");
            assertThat(http.read().body()).startsWith("last({");
            http.send("POST", "/api2?jsonp=query&callback=cb", FORM, RawHttp.form(NUKE) + "&jsonp=");
            assertThat(http.read().body()).as("the body's empty jsonp replaces the query's: callback is used")
                    .startsWith("cb({");
        }
    }

    @Test
    void repeatedAuthorizationHeaderLastWinsRegression() throws Exception {
        String good = login("test");
        String bad = login("wrong");
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/api2?command=" + enc(NUKE), null, "", "X-Forwarded-For: 10.9.8.7",
                    "Authorization: json " + bad, "Authorization: json " + good);
            RawHttp.Response r = http.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).path("authorize").path("status").asText()).isEqualTo("OK");
        }
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/api2?command=" + enc(NUKE), null, "", "X-Forwarded-For: 10.9.8.7",
                    "Authorization: json " + good, "Authorization: json " + bad);
            assertThat(http.readHead().status()).as("the last, bad, header is the one read").isEqualTo(403);
        }
        assertThat(executed("nuke_stream")).isEqualTo(1);
    }

    @Test
    void repeatedEchoedHeaderLastLineRegression() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", "/koekjes", null, "", "Host: mist:4242", "User-Agent: first/1", "User-Agent: last/2",
                    "Accept: text/plain", "Accept: application/json");
            RawHttp.Response r = http.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers()).containsEntry("host", "mist:4242").containsEntry("user-agent", "last/2")
                    .containsEntry("accept", "application/json");
        }
    }

    @Test
    void repeatedUpgradeHeaderLastWinsRegression() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.sendRaw(wsRequest("Upgrade: h2c\r\nUpgrade: websocket\r\n", KEY));
            RawHttp.Head head = http.readHead();
            assertThat(head.status()).isEqualTo(101);
            assertThat(head.headers()).containsEntry("sec-websocket-accept", accept(KEY));
        }
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.sendRaw(wsRequest("Upgrade: websocket\r\nUpgrade: h2c\r\n", KEY));
            RawHttp.Response r = http.read();
            assertThat(r == null ? 0 : r.status()).as("the last Upgrade is not websocket: no upgrade").isNotEqualTo(101);
        }
    }

    @Test
    void repeatedSecWebSocketKeyLastWinsRegression() throws Exception {
        String other = "AQIDBAUGBwgJCgsMDQ4PEA==";
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.sendRaw(wsRequest("Upgrade: websocket\r\nSec-WebSocket-Key: " + other + "\r\n", KEY));
            RawHttp.Head head = http.readHead();
            assertThat(head.status()).isEqualTo(101);
            assertThat(head.headers()).containsEntry("sec-websocket-accept", accept(KEY));
        }
    }

    @Test
    void repeatedWebSocketLogsVariableLastWinsRegression() throws Exception {
        for (int i = 0; i < 3; i++) {
            mist.get().state().log("INFO", "line " + i);
        }
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + mist.get().port() + "/ws?logs=0&logs=2"),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                                frames.add(data.toString());
                                socket.request(1);
                                return null;
                            }
                        }).join();
        try {
            assertThat(frames.poll(10, TimeUnit.SECONDS)).startsWith("{\"authorize\"");
            JsonNode first = JSON.readTree(frames.poll(10, TimeUnit.SECONDS));
            JsonNode second = JSON.readTree(frames.poll(10, TimeUnit.SECONDS));
            assertThat(first.get(0).asText()).isEqualTo("log");
            assertThat(second.get(1).get(2).asText()).isEqualTo("line 2");
            assertThat(frames.poll(300, TimeUnit.MILLISECONDS)).as("only the last logs=2 lines").isNull();
        } finally {
            ws.abort();
        }
    }

    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    /** A {@code GET /ws} upgrade with {@code extra} header lines before the (last) key. */
    private static String wsRequest(String extra, String key) {
        return "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" + extra
                + "Sec-WebSocket-Key: " + key + "\r\n\r\n";
    }

    /** RFC 6455's {@code Sec-WebSocket-Accept} for {@code key}. */
    private static String accept(String key) throws Exception {
        byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(
                (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
        return Base64.getEncoder().encodeToString(sha1);
    }

    /**
     * An {@code authorize} object for the account {@code test} answering this peer's challenge with
     * {@code password}, fetched with a CHALL on a connection of its own.
     */
    private static String login(String password) throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            JsonNode chall = JSON.readTree(http.post("/api2", "{}", "X-Forwarded-For: 10.9.8.7").body());
            String challenge = chall.path("authorize").path("challenge").asText();
            assertThat(challenge).hasSize(32);
            return "{\"username\":\"test\",\"password\":\"" + Md5.challengeAnswer(password, challenge) + "\"}";
        }
    }
}
