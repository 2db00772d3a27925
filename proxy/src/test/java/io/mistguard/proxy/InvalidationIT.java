package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.invalidation.InvalidationStats;
import io.mistguard.sim.junit.SimMistExtension;
import io.mistguard.sim.record.RecordedRequest;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code invalidate_sessions} through a real mistguard in front of sim-mist: interception in every
 * encoding and on every path, mixed commands left alone, and the delivery of the queued names.
 */
class InvalidationIT {

    private static final String MIST_OK = "{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"}}\n\n";
    private static final AtomicInteger NAMES = new AtomicInteger();

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(2, 1));
    private static TestProxy proxy;

    /** Short timeouts and backoff, so that delivery after a fault is quick; no state file. */
    static ProxyConfig config(int mistPort, Path stateFile) {
        return TestProxy.config(mistPort, Duration.ofSeconds(2)).withInvalidations(new InvalidationsConfig(50, 10_000,
                Duration.ofMillis(300), Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofMillis(50),
                Duration.ofMillis(100), stateFile, Duration.ofMillis(300)));
    }

    @BeforeAll
    static void start() throws Exception {
        proxy = TestProxy.start(config(MIST.get().port(), null));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
    }

    static Stream<Arguments> everyEncodingAndPath() {
        List<Arguments> cases = new ArrayList<>();
        for (String path : List.of("/", "/api", "/api2")) {
            for (String encoding : List.of("form", "json", "query")) {
                cases.add(Arguments.of(path, encoding));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("everyEncodingAndPath")
    void invalidationIsAnsweredByMistguardAndDeliveredToApi2(String path, String encoding) throws Exception {
        String name = "video+" + encoding + NAMES.incrementAndGet();
        HttpResponse<String> response = send(path, encoding, "{\"invalidate_sessions\":\"" + name + "\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Mistguard-Decision")).hasValue("queued");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/javascript");
        assertThat(response.body()).isEqualTo(MIST_OK);

        await(() -> MIST.get().recording().streamsFor("invalidate_sessions").contains(name), "delivered to Mist");
        RecordedRequest delivered = MIST.get().recording().requests().stream()
                .filter(r -> r.commandKeys().contains("invalidate_sessions")).findFirst().orElseThrow();
        assertThat(delivered.path()).isEqualTo("/api2");
        assertThat(delivered.method()).isEqualTo("POST");
        assertThat(delivered.headers()).doesNotContainKeys("x-real-ip", "x-forwarded-for");
    }

    @Test
    void arrayOfNamesIsDeliveredAsOneArrayCommand() throws Exception {
        HttpResponse<String> response = send("/", "form", "{\"invalidate_sessions\":[\"video+x1\",\"video+x2\"]}");

        assertThat(response.headers().firstValue("Mistguard-Decision")).hasValue("queued");
        await(() -> MIST.get().recording().streamsFor("invalidate_sessions").size() >= 2, "delivered");
        assertThat(MIST.get().recording().streamsFor("invalidate_sessions")).containsExactly("video+x1", "video+x2");
        // The drainer may start a call between the two offers, so two calls are fine; each is an array.
        assertThat(MIST.get().recording().requests()).allSatisfy(r ->
                assertThat(URLDecoder.decode(r.body(), StandardCharsets.UTF_8)).contains("\"invalidate_sessions\":["));
    }

    @Test
    void commandMixingInvalidateSessionsWithOtherKeysIsForwardedAsAWrite() throws Exception {
        long acceptedBefore = proxy.mistguard.invalidationStats().accepted();
        HttpResponse<String> response = send("/api2", "form",
                "{\"invalidate_sessions\":\"video+stream0\",\"push_list\":true}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Mistguard-Decision")).hasValue("proxied");
        assertThat(response.body()).contains("push_list");
        assertThat(MIST.get().recording().requests()).singleElement().satisfies(r ->
                assertThat(r.commandKeys()).containsExactlyInAnyOrder("invalidate_sessions", "push_list"));
        assertThat(proxy.mistguard.invalidationStats().accepted()).as("not queued").isEqualTo(acceptedBefore);
    }

    @Test
    void invalidNameIsA400AndNothingReachesMist() throws Exception {
        HttpResponse<String> response = send("/", "json", "{\"invalidate_sessions\":[\"video+ok\",\"\"]}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Mistguard-Decision"))
                .hasValue("rejected; reason=invalid-stream-name");
        Thread.sleep(100);
        assertThat(MIST.get().recording().commandCount("invalidate_sessions")).isZero();
    }

    static HttpResponse<String> send(String path, String encoding, String json) throws Exception {
        String encoded = URLEncoder.encode(json, StandardCharsets.UTF_8);
        HttpRequest request = switch (encoding) {
            case "form" -> HttpRequest.newBuilder(proxy.uri(path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("command=" + encoded)).build();
            case "json" -> HttpRequest.newBuilder(proxy.uri(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build();
            default -> HttpRequest.newBuilder(proxy.uri(path + "?command=" + encoded)).GET().build();
        };
        return proxy.http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    static boolean idle(InvalidationStats stats) {
        return stats.depth() == 0 && stats.inFlight() == 0;
    }
}
