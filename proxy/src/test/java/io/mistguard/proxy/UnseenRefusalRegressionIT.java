package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.logging.LogCapture;
import io.mistguard.sim.junit.SimMistExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault "a refusal nobody can see": the proxy listener's own refusals (a malformed request, a body
 * over the limit, an upgrade it will not pass, a connection over the limit) reached the caller but left no access-log line and no
 * metric, so an operator could not tell a misbehaving caller from a quiet one, and a refusal of a
 * {@code HEAD} made before the request was whole carried its body. Over real loopback sockets, the
 * real mistguard in front of sim-mist: each refusal is answered, logged once, and counted in
 * {@code mistguard_listener_refusals_total{reason}}, whose every reason is exposed from the start.
 */
class UnseenRefusalRegressionIT {

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(1, 1));

    @Test
    void everyRefusalOfTheListenerIsLoggedAndCountedRegression() throws Exception {
        try (LogCapture log = LogCapture.of("mistguard.access", Level.INFO);
             TestProxy proxy = PolicyProxies.start("""
                limits: {max_body_bytes: 64}
                routes:
                  - {name: catch-all, match: {}, kind: passthrough, timeout: 2s}
                """, MIST.get().port())) {
            int port = proxy.mistguard.proxyAddress().getPort();

            try (RawHttpConnection garbage = new RawHttpConnection(port)) {
                assertThat(garbage.exchange("\u0001\u0002 not http\r\n\r\n").status()).isEqualTo(400);
            }
            try (RawHttpConnection head = new RawHttpConnection(port)) {
                RawHttpConnection.Response tooLarge = head.exchangeHead(
                        "HEAD /api HTTP/1.1\r\nHost: mist\r\nContent-Length: 100\r\n\r\n" + "b".repeat(100));
                assertThat(tooLarge.status()).isEqualTo(413);
                assertThat(tooLarge.header("Mistguard-Decision")).isEqualTo("rejected; reason=body-too-large");
                assertThat(head.closedByServer()).as("nothing after the head: the connection just ends").isTrue();
            }
            try (RawHttpConnection upgrade = new RawHttpConnection(port)) {
                RawHttpConnection.Response badUpgrade = upgrade.exchangeHead("HEAD /ws HTTP/1.1\r\nHost: mist\r\n"
                        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n");
                assertThat(badUpgrade.status()).isEqualTo(400);
                assertThat(badUpgrade.header("Mistguard-Decision")).isEqualTo("rejected; reason=bad-upgrade");
                assertThat(upgrade.closedByServer()).as("nothing after the head").isTrue();
            }
            String postUpgradeBody;
            try (RawHttpConnection upgrade = new RawHttpConnection(port)) {
                RawHttpConnection.Response badUpgrade = upgrade.exchange("POST /ws HTTP/1.1\r\nHost: mist\r\n"
                        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n");
                assertThat(badUpgrade.status()).isEqualTo(400);
                postUpgradeBody = badUpgrade.body();
                assertThat(postUpgradeBody).contains("bad-upgrade");
            }
            try (RawHttpConnection last = new RawHttpConnection(port)) {
                assertThat(last.exchange("GET /api HTTP/1.1\r\nHost: mist\r\n\r\n").status()).isEqualTo(200);
            }

            // A line is written once its answer's write has settled, which may be just after the caller read it.
            Await.until("five access lines", () -> log.events().size() >= 5);
            List<String> lines = log.events().stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines).hasSize(5);
            assertThat(lines.get(0)).startsWith("route=- decision=bad-request status=400 bytes=");
            assertThat(lines.get(1)).isEqualTo("route=- decision=body-too-large status=413 bytes=0 total_ms=0 "
                    + "upstream_ms=0 attempts=0 method=HEAD path=/api");
            assertThat(lines.get(2)).startsWith("route=websocket decision=bad-upgrade status=400 bytes=0 ")
                    .endsWith("method=HEAD path=/ws");
            assertThat(lines.get(3)).as("the upgrade line counts the body sent, as every other line")
                    .startsWith("route=websocket decision=bad-upgrade status=400 bytes="
                            + postUpgradeBody.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + " ")
                    .endsWith("method=POST path=/ws");
            assertThat(lines.get(4)).startsWith("route=catch-all decision=proxied status=200 ");

            String metrics = proxy.metrics();
            assertThat(metrics).contains(
                    "mistguard_listener_refusals_total{reason=\"bad-request\"} 1.0",
                    "mistguard_listener_refusals_total{reason=\"body-too-large\"} 1.0",
                    "mistguard_listener_refusals_total{reason=\"too-many-connections\"} 0.0",
                    "mistguard_listener_refusals_total{reason=\"bad-upgrade\"} 2.0",
                    "mistguard_listener_refusals_total{reason=\"request-timeout\"} 0.0");
            for (Decision reason : Decision.listenerRefusals()) {
                assertThat(metrics).as("a series from the start").contains(
                        "mistguard_listener_refusals_total{reason=\"" + reason.token() + "\"} ");
            }
        }
    }

    /** A connection over {@code limits.max_connections}: answered 503, counted, not logged (no request was read). */
    @Test
    void aConnectionOverTheLimitIsCountedAndNotLoggedRegression() throws Exception {
        try (LogCapture log = LogCapture.of("mistguard.access", Level.INFO);
             TestProxy proxy = PolicyProxies.start("""
                limits: {max_connections: 2}
                routes:
                  - {name: catch-all, match: {}, kind: passthrough, timeout: 2s}
                """, MIST.get().port())) {
            int port = proxy.mistguard.proxyAddress().getPort();
            try (RawHttpConnection first = new RawHttpConnection(port);
                 RawHttpConnection second = new RawHttpConnection(port);
                 RawHttpConnection third = new RawHttpConnection(port)) {
                // the first two are held open; the third is one over the limit
                RawHttpConnection.Response over = third.read();
                assertThat(over.status()).isEqualTo(503);
                assertThat(over.header("Mistguard-Decision")).isEqualTo("rejected; reason=too-many-connections");
                assertThat(first.exchange("GET /api HTTP/1.1\r\nHost: mist\r\n\r\n").status()).isEqualTo(200);
            }

            Await.until("the access line", () -> !log.events().isEmpty()); // once its write settled
            assertThat(log.events()).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                    .startsWith("route=catch-all decision=proxied status=200 ");
            assertThat(proxy.metrics()).contains("mistguard_listener_refusals_total{reason=\"too-many-connections\"} 1.0");
        }
    }

    /**
     * The same fault on the trigger listener: its own refusals (a malformed request, a body over
     * {@code triggers.max_request_bytes}, a trigger that came around a loop) were logged but counted
     * nowhere, though {@code mistguard_trigger_decisions_total{decision="bad-request"}} was exported
     * (always 0). A misrouted {@code triggers.upstream} that loops shows up only there.
     */
    @Test
    void everyRefusalOfTheTriggerListenerIsCountedRegression() throws Exception {
        try (TestProxy proxy = TriggerProxies.start(MIST.get().port(),
                TriggerProxies.triggers(0, FakeCatalystApi.refusedPort(),
                        TriggerPolicy.fixed(true, Duration.ofSeconds(1), TriggerFallback.ALLOW)))) {
            int port = proxy.mistguard.triggerAddress().getPort();
            String head = "POST /api/mist/trigger HTTP/1.1\r\nHost: mist\r\nX-Trigger: USER_NEW\r\n";
            try (RawHttpConnection malformed = new RawHttpConnection(port)) {
                assertThat(malformed.exchange(head + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab").status())
                        .isEqualTo(400);
            }
            try (RawHttpConnection tooLarge = new RawHttpConnection(port)) {
                int over = 64 * 1024 + 1;
                // a blocking trigger: 200 and its fallback, which Mist can use (a 413 would become true)
                assertThat(tooLarge.exchange(head + "Content-Length: " + over + "\r\n\r\n" + "x".repeat(over)).status())
                        .isEqualTo(200);
            }
            try (RawHttpConnection looped = new RawHttpConnection(port)) {
                assertThat(looped.exchange(head + "Mistguard-Via: a, b, c, d, e\r\nContent-Length: 2\r\n\r\nab")
                                   .status()).isEqualTo(508);
            }

            String metrics = proxy.metrics();
            assertThat(metrics).contains(
                    "mistguard_trigger_decisions_total{decision=\"bad-request\",reason=\"none\",trigger=\"USER_NEW\"} 1.0",
                    "mistguard_trigger_decisions_total{decision=\"fallback\",reason=\"body-too-large\",trigger=\"USER_NEW\"} 1.0",
                    "mistguard_trigger_decisions_total{decision=\"loop-detected\",reason=\"none\",trigger=\"USER_NEW\"} 1.0",
                    "mistguard_trigger_decisions_total{decision=\"uri-too-long\",reason=\"none\",trigger=\"USER_NEW\"} 0.0");
        }
    }
}
