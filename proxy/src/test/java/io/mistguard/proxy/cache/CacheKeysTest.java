package io.mistguard.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.classify.MistRequest;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Which read requests may share a call or a stored answer, and under which key: a table of requests
 * classified as the server classifies them.
 */
class CacheKeysTest {

    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String GET_STATE = "command=%7B%20%22active_streams%22%3A%20true%20%7D"; // { "active_streams": true }

    /** The key of {@code method uri} with {@code body} of {@code contentType} (may be null), or null. */
    private static String key(String method, String uri, String contentType, String body, String... headers) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri,
                Unpooled.copiedBuffer(body, StandardCharsets.ISO_8859_1));
        try {
            if (contentType != null) {
                request.headers().set("Content-Type", contentType); // spelled as clients send it
            }
            for (int i = 0; i < headers.length; i += 2) {
                request.headers().add(headers[i], headers[i + 1]);
            }
            MistRequest mist = new CommandClassifier().classify(method, uri, contentType, request.content());
            return CacheKeys.of("get-state", request, mist);
        } finally {
            request.release();
        }
    }

    @Test
    void aCommandIsKeyedByRouteMethodPathAndItsCompactedText() {
        assertThat(key("POST", "/api", FORM, GET_STATE))
                .isEqualTo("get-state\nPOST\n/api\n{\"active_streams\":true}");
        assertThat(key("GET", "/api?command=%7B%22active_streams%22%3Atrue%7D", null, ""))
                .isEqualTo("get-state\nGET\n/api\n{\"active_streams\":true}");
    }

    @Test
    void withoutACommandTheRawQueryIsTheKey() {
        assertThat(key("GET", "/koekjes.json?stream=a", null, ""))
                .isEqualTo("get-state\nGET\n/koekjes.json\nstream=a");
        assertThat(key("GET", "/koekjes.json", null, "")).isEqualTo("get-state\nGET\n/koekjes.json\n");
        assertThat(key("GET", "?stream=a", null, "")).as("a query at the very start")
                .isNotEqualTo(key("GET", "?stream=b", null, ""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "authorize key     | command=%7B%22authorize%22%3A%7B%7D%2C%22active_streams%22%3Atrue%7D",
            "config key        | command=%7B%22config%22%3A%7B%7D%7D",
            "not JSON          | command=hello",
    })
    void aCommandThatDependsOnTheConnectionOrIsNotJsonIsNeverShared(String why, String body) {
        assertThat(key("POST", "/api", FORM, body)).isNull();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "X-Real-IP       | 192.0.2.1",
            "X-Forwarded-For | 192.0.2.1",
            "Cache-Control   | no-cache",
            "Cache-Control   | no-store",
            "Cache-Control   | max-age=0, No-Store",
    })
    void aCallerNotLocalOrAskingForMistItselfBypassesTheCache(String header, String value) {
        assertThat(key("POST", "/api", FORM, GET_STATE, header, value)).isNull();
    }

    @Test
    void otherCacheControlDirectivesDoNotBypass() {
        assertThat(key("POST", "/api", FORM, GET_STATE, "Cache-Control", "max-age=0")).isNotNull();
    }

    /**
     * Regression (found by the hostile-input tests): Mist echoes a request's Host, User-Agent and
     * Accept in its Prometheus answers, which keep Mist's header fields when stored, so a caller
     * sending {@code Host: evil.example} had its Host served to the next caller within
     * {@code fresh_for}.
     */
    @Test
    void echoedRequestFieldsKeyAnAnswerWithoutACommand() {
        String plain = key("GET", "/koekjes.json", null, "", "Host", "mist");
        assertThat(key("GET", "/koekjes.json", null, "", "Host", "evil.example:666")).isNotEqualTo(plain);
        assertThat(key("GET", "/koekjes.json", null, "", "Host", "mist", "User-Agent", "x")).isNotEqualTo(plain);
        assertThat(key("GET", "/koekjes.json", null, "", "Host", "mist", "Accept", "x")).isNotEqualTo(plain);
        assertThat(key("GET", "/koekjes.json", null, "", "Host", "mist")).isEqualTo(plain);
        assertThat(key("POST", "/api", FORM, GET_STATE, "Host", "evil.example"))
                .as("a command's answer echoes nothing").isEqualTo(key("POST", "/api", FORM, GET_STATE, "Host", "mist"));
    }

    /**
     * Regression (a fresh review): the key took the first line of a repeated echoed field where Mist
     * echoes the one its header map keeps (the last of the same spelling), so a caller sending
     * {@code Accept: text/plain} got a stored answer echoing {@code Accept: text/plain, application/json}
     * (and with Mist, one echoing another caller's choice).
     */
    @Test
    void aRepeatedEchoedFieldIsKeyedByTheLineMistEchoesRegression() {
        String plain = key("GET", "/koekjes", null, "", "Host", "mist", "Accept", "text/plain");
        String json = key("GET", "/koekjes", null, "", "Host", "mist", "Accept", "application/json");
        assertThat(key("GET", "/koekjes", null, "", "Host", "mist", "Accept", "text/plain", "Accept", "application/json"))
                .as("every line keys it: never another caller's choice").isNotEqualTo(json).isNotEqualTo(plain);
    }

    /**
     * Found by a later review: Mist picks its Prometheus path before it reads a command, so
     * /koekjes?command=<GetState> echoes every field too; keyed by the command alone, a coalesced
     * second caller got the first one's Cookie. A command off Mist's API paths is keyed by every line.
     */
    @Test
    void aCommandOffMistsApiPathsIsKeyedByEveryFieldTooRegression() {
        String alice = key("GET", "/koekjes?command=%7B%22active_streams%22%3Atrue%7D", null, "", "Host", "a",
                           "Cookie", "session=ALICE");
        assertThat(key("GET", "/koekjes?command=%7B%22active_streams%22%3Atrue%7D", null, "", "Host", "a",
                       "Cookie", "session=bob")).isNotEqualTo(alice);
        assertThat(key("POST", "/koekjes", FORM, GET_STATE, "Cookie", "a"))
                .isNotEqualTo(key("POST", "/koekjes", FORM, GET_STATE, "Cookie", "b"));
        for (String api : new String[] {"/", "/api", "/api2"}) {
            assertThat(key("POST", api, FORM, GET_STATE, "Cookie", "a")).as(api + ": Mist's API reply echoes nothing")
                    .isEqualTo(key("POST", api, FORM, GET_STATE, "Cookie", "b"));
        }
    }

    /**
     * Found by review: Mist echoes every request field in its Prometheus answers, not just Host,
     * User-Agent and Accept, so a stored answer carried one caller's Cookie (and a Set-Cookie it
     * sent) to the next. Every line keys an answer without a command; a scraper's identical lines
     * still share one.
     */
    @Test
    void everyRequestFieldKeysAnAnswerWithoutACommandRegression() {
        String scrape = key("GET", "/koekjes", null, "", "Host", "mist", "User-Agent", "Prometheus/2.45",
                            "X-Prometheus-Scrape-Timeout-Seconds", "10");
        assertThat(key("GET", "/koekjes", null, "", "Host", "mist", "User-Agent", "Prometheus/2.45",
                       "X-Prometheus-Scrape-Timeout-Seconds", "10")).isEqualTo(scrape);
        assertThat(key("GET", "/koekjes", null, "", "Host", "mist", "User-Agent", "Prometheus/2.45",
                       "X-Prometheus-Scrape-Timeout-Seconds", "10", "Cookie", "session=ALICE")).isNotEqualTo(scrape);
        assertThat(key("GET", "/koekjes", null, "", "Host", "mist", "Set-Cookie", "pwn=1"))
                .isNotEqualTo(key("GET", "/koekjes", null, "", "Host", "mist"));
        assertThat(key("GET", "/koekjes", null, "", "Host", "mist", "x-a", "1", "x-b", "2"))
                .as("a value moved to another field").isNotEqualTo(key("GET", "/koekjes", null, "", "Host", "mist",
                                                                       "x-a", "12", "x-b", ""));
    }

    /** The form test reads the Content-Type Mist reads: the exact spelling's last line wins over another spelling. */
    @Test
    void theFormTestReadsTheContentTypeMistReadsRegression() {
        String callbackForm = "callback=cb&" + GET_STATE;
        String asForm = key("POST", "/api", FORM, callbackForm);
        assertThat(key("POST", "/api", FORM, callbackForm, "content-type", "application/json"))
                .as("Mist reads Content-Type, the exact spelling").isEqualTo(asForm);
    }

    @Test
    void aJsonpCallbackMakesTheReplyCallerSpecific() {
        assertThat(key("GET", "/koekjes.json?callback=cb", null, ""))
                .isEqualTo("get-state\nGET\n/koekjes.json\ncallback=cb\ncallback=cb");
        assertThat(key("POST", "/api?jsonp=q", FORM, GET_STATE))
                .isEqualTo("get-state\nPOST\n/api\n{\"active_streams\":true}\njsonp=q");
    }

    @Test
    void aFormBodysCallbackReplacesTheQuerysAsMistReadsThem() {
        assertThat(key("POST", "/api?callback=fromQuery", FORM, GET_STATE + "&callback=fromBody"))
                .endsWith("\ncallback=fromBody");
    }

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource(delimiter = '|', value = {
            "GET  | application/x-www-form-urlencoded",
            "POST | text/plain",
    })
    void onlyAPostedFormHasBodyVariables(String method, String contentType) {
        String key = key(method, "/api?callback=fromQuery&command=%7B%22active_streams%22%3Atrue%7D", contentType,
                         "callback=fromBody");
        assertThat(key).endsWith("\ncallback=fromQuery");
    }
}
