package io.mistguard.sim.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.RawHttp;
import io.mistguard.sim.junit.SimMistExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which requests carry a command, as Mist 3.10 reads them (mist-api.md §8): only {@code Content-Type}
 * exactly {@code application/json} makes the body a JSON command, and anything on {@code /api2} that
 * is no usable command object is answered with just the authorize object. Also JSONP.
 */
class RequestFormsTest {

    static final String BARE = "{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"}}\n\n";
    static final String PUSH_LIST = "{\"push_list\":true}";

    @RegisterExtension
    static SimMistExtension mist = SimMistExtension.with(b -> b.streams(2, 1));

    static Stream<Arguments> bodiesThatAreNotReadAsJson() {
        return Stream.of(Arguments.of("application/json; charset=utf-8", PUSH_LIST),
                Arguments.of("application/json;charset=UTF-8", PUSH_LIST),
                Arguments.of("application/x-www-form-urlencoded", PUSH_LIST),
                Arguments.of("text/plain", PUSH_LIST),
                Arguments.of(null, PUSH_LIST));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodiesThatAreNotReadAsJson")
    void onlyExactlyApplicationJsonMakesTheBodyACommand(String contentType, String body) throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("POST", "/api2", contentType, body);
            assertThat(http.read().body()).isEqualTo(BARE);
            http.send("POST", "/api2", "application/json", body);
            assertThat(http.read().body()).contains("\"push_list\":");
        }
        assertThat(mist.get().recording().requests().get(0).commandKeys()).isEmpty();
        assertThat(mist.get().recording().commandCount("push_list")).isEqualTo(1);
    }

    @ParameterizedTest(name = "command={0}")
    @ValueSource(strings = {"{\"no_such_command\":1}", "{not json", "[\"push_list\"]", "\"push_list\"", "42", "null",
            "{}"})
    void anythingButAKnownCommandOnApi2GetsJustTheAuthorizeObject(String command) throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("POST", "/api2", "application/x-www-form-urlencoded", RawHttp.form(command));
            RawHttp.Response form = http.read();
            assertThat(form.status()).isEqualTo(200);
            assertThat(form.body()).isEqualTo(BARE);
            http.send("POST", "/api2", "application/json", command);
            assertThat(http.read().body()).isEqualTo(BARE);
        }
    }

    @Test
    void callbackOrJsonpWrapsTheReply() throws Exception {
        String query = "/api2?command=" + URLEncoder.encode("{\"nuke_stream\":\"x\"}", StandardCharsets.UTF_8);
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("GET", query + "&callback=cb", null, "");
            RawHttp.Response r = http.read();
            assertThat(r.headers()).containsEntry("content-type", "text/javascript");
            assertThat(r.body()).isEqualTo("cb(" + BARE.trim() + ");\n\n");

            http.send("GET", query + "&callback=cb&jsonp=jp", null, "");
            assertThat(http.read().body()).as("jsonp wins").startsWith("jp({");

            http.send("POST", "/api2", "application/x-www-form-urlencoded",
                    RawHttp.form("{\"nuke_stream\":\"x\"}") + "&callback=f");
            assertThat(http.read().body()).startsWith("f({\"LTS\":1");
        }
    }
}
