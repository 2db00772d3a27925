package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import io.mistguard.sim.junit.SimMistExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault "a listener reads what another parser would read differently", over real loopback
 * sockets: the proxy listener refused a misspelt or newer HTTP version, {@code Content-Length} beside
 * {@code Transfer-Encoding} and obs-fold, but the admin and trigger listeners read them Netty's
 * lenient way (HTTP/1.1, the length dropped on a connection kept open, lines unfolded). The real
 * mistguard, with a trigger listener, in front of sim-mist: each listener answers each case of
 * {@code AmbiguousFramingCases} with its status and closes the connection.
 */
class AmbiguousFramingOnEveryListenerRegressionIT {

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.withDefaults();

    private static TestProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = TriggerProxies.start(MIST.get().port(), TriggerProxies.triggers(0, FakeCatalystApi.refusedPort(),
                TriggerPolicy.fixed(true, Duration.ofSeconds(1), TriggerFallback.ALLOW)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.mistguard.proxy.net.AmbiguousFramingCases#cases")
    void everyListenerRefusesAmbiguousFramingAndCloses(String name, String raw, String status, String reason)
            throws Exception {
        int code = Integer.parseInt(status.substring(0, 3));
        assertRefused(proxy.mistguard.proxyAddress().getPort(), raw.formatted("POST /api"), code, reason);
        assertRefused(proxy.mistguard.adminAddress().getPort(), raw.formatted("GET /healthz"), code, reason);
        assertRefused(proxy.mistguard.triggerAddress().getPort(), raw.formatted("POST /api/mist/trigger"), code, reason);
    }

    private static void assertRefused(int port, String raw, int status, String reason) throws Exception {
        try (RawHttpConnection connection = new RawHttpConnection(port)) {
            RawHttpConnection.Response answer = connection.exchange(raw);
            assertThat(answer.status()).as("port %d", port).isEqualTo(status);
            assertThat(answer.body()).as("port %d", port).contains(reason);
            assertThat(answer.header("connection")).as("port %d", port).isEqualTo("close");
            assertThat(connection.closedByServer()).as("port %d", port).isTrue();
        }
    }
}
