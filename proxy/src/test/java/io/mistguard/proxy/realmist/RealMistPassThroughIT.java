package io.mistguard.proxy.realmist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.mistguard.proxy.MistCommands;
import io.mistguard.proxy.Mistguard;
import io.mistguard.proxy.realmist.RawHttp.Reply;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A loopback caller gets through mistguard what it gets from the real Mist directly: the same status,
 * {@code Content-Type} and answer shape, with {@code "authorize":{"local":true,"status":"OK"}}, for
 * each way catalyst-api and the web UI send a command, and for the Prometheus paths. Bodies are
 * compared by keys, not bytes: stats move between two calls.
 */
@RealMistTier
class RealMistPassThroughIT {

    /** A fresh mistguard per test: no pooled connection, breaker state or cached answer carries over. */
    private Mistguard mistguard;

    @BeforeEach
    void start() throws InterruptedException {
        mistguard = RealMist.startMistguard("127.0.0.1");
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (mistguard != null) {
            mistguard.close();
        }
    }

    @ParameterizedTest(name = "GetState as {0}")
    @ValueSource(strings = {"form POST /", "JSON POST /api2", "GET /api2?command="})
    void apiAnswerHasMistsShapeAndLocalTrust(String form) throws IOException {
        Reply direct = getState(RealMist.address(), form);
        Reply proxied = getState(mistguard.proxyAddress(), form);

        assertThat(direct.status()).as("straight from Mist: %s", direct).isEqualTo(200);
        assertThat(proxied.status()).as("through mistguard: %s", proxied).isEqualTo(200);
        assertThat(proxied.contentType()).isEqualTo(direct.contentType()).isEqualTo("text/javascript");
        assertThat(proxied.body()).endsWith("\n\n");
        assertThat(MistJson.object(proxied.body()).keySet())
                .as("top-level keys through mistguard vs. straight from Mist")
                .containsExactlyInAnyOrderElementsOf(MistJson.object(direct.body()).keySet());
        assertThat(MistJson.authorize(proxied.body())).isEqualTo(Map.of("local", true, "status", "OK"))
                .isEqualTo(MistJson.authorize(direct.body()));
    }

    /** Mist's Prometheus text ({@code /koekjes}) and JSON ({@code /koekjes.json}) stats: public, no login. */
    @ParameterizedTest(name = "/<passphrase>{0}")
    @ValueSource(strings = {"", ".json"})
    void prometheusPathPassesThrough(String suffix) throws IOException {
        String path = "/" + RealMist.prometheusPassphrase() + suffix;
        Reply direct = get(RealMist.address(), path);
        assumeFalse(direct.status() == 404 || direct.contentType().startsWith("text/html"),
                "Mist serves no Prometheus stats on " + path + ": start it with -S <passphrase> or set MIST_PROMETHEUS");
        Reply proxied = get(mistguard.proxyAddress(), path);

        assertThat(proxied.status()).as("through mistguard: %s", proxied).isEqualTo(direct.status()).isEqualTo(200);
        assertThat(proxied.contentType()).isEqualTo(direct.contentType());
        if (suffix.isEmpty()) {
            assertThat(metricNames(proxied.body())).as("# TYPE lines").isNotEmpty()
                    .isEqualTo(metricNames(direct.body()));
        } else {
            assertThat(MistJson.object(proxied.body()).keySet())
                    .containsExactlyInAnyOrderElementsOf(MistJson.object(direct.body()).keySet());
        }
    }

    /** GetState as {@code form} on a fresh connection to {@code to}. */
    private static Reply getState(InetSocketAddress to, String form) throws IOException {
        try (RawHttp connection = RawHttp.connect(to)) {
            return switch (form) {
                case "form POST /" -> connection.postForm("/", MistCommands.GET_STATE);
                case "JSON POST /api2" -> connection.postJson("/api2", MistCommands.GET_STATE);
                case "GET /api2?command=" -> connection.get(
                        "/api2?command=" + URLEncoder.encode(MistCommands.GET_STATE, StandardCharsets.UTF_8));
                default -> throw new IllegalArgumentException(form);
            };
        }
    }

    private static Reply get(InetSocketAddress to, String path) throws IOException {
        try (RawHttp connection = RawHttp.connect(to)) {
            return connection.get(path);
        }
    }

    /** The {@code # TYPE} lines of a Prometheus text answer: which metrics, not their values. */
    private static Set<String> metricNames(String prometheusText) {
        return Stream.of(prometheusText.split("\n")).filter(line -> line.startsWith("# TYPE "))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
