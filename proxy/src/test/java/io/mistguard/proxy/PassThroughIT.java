package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.SimMist;
import io.mistguard.sim.record.RecordedRequest;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * mistguard in front of a real sim-mist over loopback, with a byte tap between them: what the caller
 * receives must be exactly what Mist sent, for every command, encoding and API path, and for the
 * Prometheus paths.
 */
class PassThroughIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static SimMist mist;
    private static TapRelay tap;
    private static TestProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        mist = SimMist.builder().streams(4, 3).start();
        tap = new TapRelay(mist.port());
        proxy = TestProxy.inFrontOf(tap.port(), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        tap.close();
        mist.close();
    }

    static Stream<Arguments> everyCommandEncodingAndPath() {
        List<Arguments> cases = new ArrayList<>();
        for (MistCommands.Command command : MistCommands.ALL) {
            if (command.keys().equals(Set.of("invalidate_sessions"))) {
                continue; // answered by mistguard itself: InvalidationIT
            }
            for (String path : List.of("/", "/api", "/api2")) {
                for (String encoding : List.of("form", "json", "query")) {
                    cases.add(Arguments.of(command, path, encoding));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} as {2} on {1}")
    @MethodSource("everyCommandEncodingAndPath")
    void callerGetsMistsBytesExactly(MistCommands.Command command, String path, String encoding) throws Exception {
        String encoded = URLEncoder.encode(command.json(), StandardCharsets.UTF_8);
        HttpRequest request = switch (encoding) {
            case "form" -> HttpRequest.newBuilder(proxy.uri(path)).timeout(TIMEOUT)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("command=" + encoded)).build();
            case "json" -> HttpRequest.newBuilder(proxy.uri(path)).timeout(TIMEOUT).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(command.json())).build();
            default -> HttpRequest.newBuilder(proxy.uri(path + "?command=" + encoded)).timeout(TIMEOUT).GET().build();
        };
        assertPassesThroughUnchanged(request);

        RecordedRequest received = last();
        assertThat(received.path()).isEqualTo(path);
        assertThat(received.commandKeys()).isEqualTo(command.keys());
    }

    @ParameterizedTest(name = "GET {0}")
    @MethodSource("prometheusPaths")
    void prometheusPathsPassThroughUnchanged(String path) throws Exception {
        HttpResponse<byte[]> response = assertPassesThroughUnchanged(HttpRequest.newBuilder(proxy.uri(path)).build());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isNotEmpty();
    }

    static Stream<String> prometheusPaths() {
        return Stream.of("/koekjes", "/koekjes.json");
    }

    @Test
    void noForwardingHeaderReachesMist() throws Exception {
        HttpResponse<String> response = proxy.postForm("/",
                "command=" + URLEncoder.encode(MistCommands.GET_STATE, StandardCharsets.UTF_8));

        assertThat(last().headers()).doesNotContainKeys("x-forwarded-for", "x-real-ip", "forwarded", "via",
                "x-forwarded-proto", "x-forwarded-host");
        assertThat(response.body()).contains("\"authorize\":{\"local\":true,\"status\":\"OK\"}")
                .doesNotContain("CHALL");
    }

    @Test
    void upstreamConnectionsAreKeptAliveAndReused() throws Exception {
        long opened = mist.recording().connectionsOpened();
        for (int i = 0; i < 20; i++) {
            assertThat(proxy.get("/api2?command=%7B%22push_list%22%3Atrue%7D").statusCode()).isEqualTo(200);
        }
        // One I/O thread, sequential requests: at most one new upstream connection for all twenty.
        assertThat(mist.recording().connectionsOpened() - opened).isLessThanOrEqualTo(1);
    }

    @Test
    void mistIsAuthorisedAsALocalCallerThroughTheProxy() throws Exception {
        HttpResponse<String> response = proxy.postForm("/api2",
                "command=" + URLEncoder.encode("{\"config\":{}}", StandardCharsets.UTF_8));
        assertThat(response.body()).contains("\"status\":\"OK\"").contains("\"local\":true");
        assertThat(response.headers().firstValue("Mistguard-Decision")).hasValue("proxied");
    }

    private static HttpResponse<byte[]> assertPassesThroughUnchanged(HttpRequest request) throws Exception {
        tap.drainUpstreamBytes();
        HttpResponse<byte[]> response = proxy.http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        String sent = tap.drainUpstreamBytes();
        int headEnd = sent.indexOf("\r\n\r\n");
        assertThat(headEnd).as("one complete response from Mist").isPositive();
        String mistBody = sent.substring(headEnd + 4);
        assertThat(new String(response.body(), StandardCharsets.ISO_8859_1)).isEqualTo(mistBody);
        assertThat(response.statusCode()).isEqualTo(Integer.parseInt(sent.substring(9, 12)));
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(sent.toLowerCase()).contains("content-type: " + type.toLowerCase()));
        return response;
    }

    private static RecordedRequest last() {
        List<RecordedRequest> requests = mist.recording().requests();
        return requests.get(requests.size() - 1);
    }
}
