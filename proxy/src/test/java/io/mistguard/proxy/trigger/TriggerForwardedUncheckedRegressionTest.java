package io.mistguard.proxy.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.TriggersConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Found by review: the proxy listener refuses requests it cannot hand on as they mean
 * ({@code InvalidRequest}), but the trigger listener checked only the target's characters and sent the
 * rest on to catalyst-api: {@code CONNECT} and {@code TRACE}, a body still gzip-coded under a
 * {@code Transfer-Encoding} it dropped, and an absolute-form target left as it came. (The {@code Host}
 * rules stay off here, as the README's trigger section explains.) Now the trigger listener refuses what the
 * proxy's port refuses, with the same status and reason, calls nobody and closes; an absolute-form
 * target goes on in origin-form with its authority as {@code Host}, as on the proxy's port. The
 * listener's own pipeline ({@link TriggerServer#addHandlers}) on an {@link EmbeddedChannel}.
 */
class TriggerForwardedUncheckedRegressionTest {

    private static final String TRIGGER = "X-Trigger: USER_NEW\r\n";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "CONNECT|CONNECT /api/mist/trigger|Host: a\\r\\nContent-Length: 2\\r\\n\\r\\nab|405 Method Not Allowed|CONNECT is not served",
            "TRACE|TRACE /api/mist/trigger|Host: a\\r\\nContent-Length: 2\\r\\n\\r\\nab|405 Method Not Allowed|TRACE is not served",
            "a coding left over chunked|POST /api/mist/trigger|Host: a\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n2\\r\\nab\\r\\n0\\r\\n\\r\\n|400 Bad Request|unsupported Transfer-Encoding: gzip",
            "an absolute-form target without a host|POST http:///api/mist/trigger|Host: a\\r\\nContent-Length: 2\\r\\n\\r\\nab|400 Bad Request|authority",
    })
    void aTriggerTheProxysPortWouldRefuseIsRefusedNotForwarded(String name, String requestLine, String rest,
                                                              String status, String reason) {
        try (TriggerHarness h = new TriggerHarness(config()); ListenerEdge server = new ListenerEdge(h)) {
            server.send(requestLine + " HTTP/1.1\r\n" + TRIGGER + rest.replace("\\r\\n", "\r\n"));
            String out = server.rawOut();
            assertThat(out).startsWith("HTTP/1.1 " + status + "\r\n").contains(reason)
                    .containsIgnoringCase("connection: close");
            assertThat(server.channel.isOpen()).isFalse();
            assertThat(h.calls).isEmpty();
            assertThat(h.answered).hasSize(1);
        }
    }

    /**
     * The Host rules stay off on this listener: a refused blocking trigger is a failed attempt to Mist,
     * which after five lets the viewer in, so a trigger with no {@code Host}, or two, still reaches
     * catalyst-api (the first version of this fix refused them; the fresh review caught it).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no Host|",
            "two Host lines|Host: a\\r\\nHost: b\\r\\n",
            "a Host that is not host[:port]|Host: a b\\r\\n"})
    void aTriggerIsNotRefusedForItsHostField(String name, String hostLines) {
        try (TriggerHarness h = new TriggerHarness(config()); ListenerEdge server = new ListenerEdge(h)) {
            server.send("POST /api/mist/trigger HTTP/1.1\r\n" + TRIGGER
                        + (hostLines == null ? "" : hostLines.replace("\\r\\n", "\r\n"))
                        + "Content-Length: 2\r\n\r\nab");
            assertThat(h.calls).hasSize(1);
            h.calls.get(0).answer(200, "true");
            h.runPending();
            server.channel.runPendingTasks();
            assertThat(server.rawOut()).startsWith("HTTP/1.1 200 OK\r\n");
        }
    }

    @Test
    void anAbsoluteFormTargetGoesOnInOriginFormWithItsAuthorityAsHost() {
        try (TriggerHarness h = new TriggerHarness(config()); ListenerEdge server = new ListenerEdge(h)) {
            server.send("POST http://catalyst:7979/api/mist/trigger?x=1 HTTP/1.1\r\n" + TRIGGER
                            + "Host: mist\r\nContent-Length: 2\r\n\r\nab");
            assertThat(h.calls).hasSize(1);
            assertThat(h.calls.get(0).request.uri()).isEqualTo("/api/mist/trigger?x=1");
            assertThat(h.calls.get(0).request.headers().getAll("Host")).containsExactly("catalyst:7979");
            h.calls.get(0).answer(200, "true");
            h.runPending();
            server.channel.runPendingTasks();
            assertThat(server.rawOut()).startsWith("HTTP/1.1 200 OK\r\n");
        }
    }

    private static TriggersConfig config() {
        return TriggersConfig.defaults().withListen(new HostPort("127.0.0.1", 0));
    }
}
