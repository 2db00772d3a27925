package io.mistguard.proxy.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.TriggersConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Found by review: the proxy listener refused requests whose framing or version two parsers could
 * read two ways, but the trigger listener kept Netty's lenient defaults. It read {@code http/1.1} and
 * {@code HTTP/2.0} as versions it could answer, dropped a {@code Content-Length} beside
 * {@code Transfer-Encoding: chunked} and kept the connection open (RFC 9112 §6.1 says close it), and
 * unfolded continuation lines into the fields it sent on to catalyst-api. Now it refuses each with the
 * proxy listener's status and reason, calls nobody, counts the refusal and closes. The listener's own
 * pipeline ({@link TriggerServer#addHandlers}) on an {@link EmbeddedChannel}.
 */
class TriggerAmbiguousFramingRegressionTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.mistguard.proxy.net.AmbiguousFramingCases#cases")
    void aTriggerWithAmbiguousFramingIsRefusedNotForwarded(String name, String raw, String status, String reason) {
        try (TriggerHarness h = new TriggerHarness(TriggersConfig.defaults().withListen(new HostPort("127.0.0.1", 0)));
             ListenerEdge server = new ListenerEdge(h)) {
            server.send(raw.formatted("POST /api/mist/trigger").replace("Host: x\r\n", "Host: x\r\nX-Trigger: USER_NEW\r\n"));
            String out = server.rawOut();
            assertThat(out).startsWith("HTTP/1.1 " + status + "\r\n").contains(reason)
                    .containsIgnoringCase("connection: close");
            assertThat(server.channel.isOpen()).isFalse();
            assertThat(h.calls).isEmpty();
            assertThat(h.answered).hasSize(1).allSatisfy(line -> assertThat(line).endsWith(" bad-request"));
        }
    }
}
