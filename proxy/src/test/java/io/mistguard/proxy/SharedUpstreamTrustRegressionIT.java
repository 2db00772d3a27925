package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.TrustedPeers;
import io.mistguard.sim.fault.FaultRule;
import io.mistguard.sim.junit.SimMistExtension;
import io.mistguard.sim.record.RecordedRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regression (issue: "Mist's trust is per TCP connection, and mistguard shares connections"): Mist
 * trusts a loopback connection without forwarding headers as local, and that trust sticks to the
 * connection. mistguard pooled upstream connections across callers, so a caller with
 * {@code X-Forwarded-For} that reused a connection a local caller had opened got Mist's local rights
 * (a whole {@code config_backup}, account hashes included) with no login. Every test here talks to
 * sim-mist, which keeps trust per connection as Mist does, over real loopback sockets.
 */
class SharedUpstreamTrustRegressionIT {

    private static final String CONFIG_BACKUP = "{\"config_backup\":true}";

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(1, 1));

    @Test
    void forwardedForCallerAfterLocalCallsGetsChallengeNotTheLocalCallersTrust() throws Exception {
        for (String header : List.of("X-Forwarded-For: 203.0.113.7", "X-Real-IP: 203.0.113.7")) {
            try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5))) {
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> local = proxy.http.send(PolicyProxies.command(proxy, MistCommands.GET_STATE),
                                                                 HttpResponse.BodyHandlers.ofString());
                    assertThat(local.body()).contains("\"local\":true");
                }
                try (RawHttpConnection remote = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
                    RawHttpConnection.Response answer = remote.exchange(
                            RawHttpConnection.formCommand("/api2", CONFIG_BACKUP, header));
                    assertThat(answer.body()).as(header).contains("\"status\":\"CHALL\"").doesNotContain("\"local\"")
                            .doesNotContain("config_backup\":{");
                }
            }
        }
    }

    @Test
    void forwardedForRequestOnTheSameClientConnectionAsALocalOneIsNotTrustedEither() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            assertThat(client.exchange(RawHttpConnection.formCommand("/api2", MistCommands.GET_STATE)).body())
                    .contains("\"local\":true");
            assertThat(client.exchange(RawHttpConnection.formCommand("/api2", CONFIG_BACKUP,
                                                                     "X-Forwarded-For: 203.0.113.7")).body())
                    .contains("\"status\":\"CHALL\"");
        }
    }

    @Test
    void md5LoginThroughMistguardWorksAndSticksToTheCallersConnectionOnly() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5))) {
            int port = proxy.mistguard.proxyAddress().getPort();
            try (RawHttpConnection client = new RawHttpConnection(port)) {
                String xff = "X-Forwarded-For: 203.0.113.7";
                String challenge = challengeOf(client.exchange(
                        RawHttpConnection.formCommand("/api2", MistCommands.GET_STATE, xff)).body());
                String password = md5(md5("test") + challenge);
                RawHttpConnection.Response login = client.exchange(RawHttpConnection.formCommand("/api2",
                        "{\"authorize\":{\"username\":\"test\",\"password\":\"" + password + "\"}}", xff));
                assertThat(login.body()).contains("\"status\":\"OK\"");
                assertThat(client.exchange(RawHttpConnection.formCommand("/api2", CONFIG_BACKUP, xff)).body())
                        .as("the login sticks to this caller's connection").contains("\"status\":\"OK\"");
            }
            try (RawHttpConnection other = new RawHttpConnection(port)) {
                assertThat(other.exchange(RawHttpConnection.formCommand("/api2", CONFIG_BACKUP,
                                                                        "X-Forwarded-For: 198.51.100.1")).body())
                        .as("nobody else rides the logged-in connection").contains("\"status\":\"CHALL\"");
            }
        }
    }

    @Test
    void privateUpstreamConnectionClosesWithItsClientConnection() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5))) {
            try (RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
                client.exchange(RawHttpConnection.formCommand("/api2", MistCommands.GET_STATE,
                                                              "X-Real-IP: 203.0.113.7"));
                client.exchange(RawHttpConnection.formCommand("/api2", MistCommands.GET_STATE,
                                                              "X-Real-IP: 203.0.113.7"));
            }
            List<RecordedRequest> seen = MIST.get().recording().requests();
            assertThat(seen).hasSize(2);
            assertThat(seen.get(1).connectionId()).as("reused by the same client").isEqualTo(seen.get(0).connectionId());
            assertThat(MIST.get().recording().awaitConnectionsClosedByPeer(1, Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void untrustedPeerIsPresentedToMistAsRemoteWithXRealIp() throws Exception {
        ProxyConfig config = TestProxy.config(MIST.get().port(), Duration.ofSeconds(5))
                .withTrustedPeers(new TrustedPeers(List.of()));
        try (TestProxy proxy = TestProxy.start(config)) {
            HttpResponse<String> answer = proxy.http.send(PolicyProxies.command(proxy, CONFIG_BACKUP),
                                                          HttpResponse.BodyHandlers.ofString());
            assertThat(answer.body()).contains("\"status\":\"CHALL\"");
            RecordedRequest seen = MIST.get().recording().requests().get(0);
            assertThat(seen.headers()).containsEntry("x-real-ip", "127.0.0.1");
        }
    }

    /**
     * A caller's own X-Forwarded-For is kept, and X-Real-IP is added still: Catalyst's Mist reads only
     * X-Real-IP (ForwardedForTrustRegressionIT). Until a review found that, this test pinned the opposite.
     */
    @Test
    void callerThatBringsItsOwnXForwardedForKeepsItAndGetsXRealIpAdded() throws Exception {
        ProxyConfig config = TestProxy.config(MIST.get().port(), Duration.ofSeconds(5))
                .withTrustedPeers(new TrustedPeers(List.of()));
        try (TestProxy proxy = TestProxy.start(config);
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            client.exchange(RawHttpConnection.formCommand("/api2", MistCommands.GET_STATE,
                                                          "X-Forwarded-For: 198.51.100.9"));
            RecordedRequest seen = MIST.get().recording().requests().get(0);
            assertThat(seen.headers()).containsEntry("x-forwarded-for", "198.51.100.9")
                                      .containsEntry("x-real-ip", "127.0.0.1");
        }
    }

    @Test
    void callerThatBringsItsOwnXRealIpGetsNoneAdded() throws Exception {
        ProxyConfig config = TestProxy.config(MIST.get().port(), Duration.ofSeconds(5))
                .withTrustedPeers(new TrustedPeers(List.of()));
        try (TestProxy proxy = TestProxy.start(config);
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            client.exchange(RawHttpConnection.formCommand("/api2", MistCommands.GET_STATE, "X-Real-IP: 198.51.100.9"));
            RecordedRequest seen = MIST.get().recording().requests().get(0);
            assertThat(seen.headers()).containsEntry("x-real-ip", "198.51.100.9");
        }
    }

    @Test
    void localCallersStaleAnswerIsNeverServedToARemoteCaller() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(2))) {
            HttpResponse<String> local = proxy.http.send(PolicyProxies.command(proxy, MistCommands.GET_STATE),
                                                         HttpResponse.BodyHandlers.ofString());
            assertThat(local.body()).contains("\"local\":true");
            MIST.get().faults().add(FaultRule.any().status(500));
            try (RawHttpConnection remote = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
                RawHttpConnection.Response answer = remote.exchange(RawHttpConnection.formCommand("/",
                        MistCommands.GET_STATE, "X-Forwarded-For: 203.0.113.7"));
                assertThat(answer.header("Mistguard-Decision")).doesNotStartWith("stale");
                assertThat(answer.body()).doesNotContain("\"local\":true");
            }
        }
    }

    @Test
    void remoteCallersGetStateIsNeverCoalescedWithALocalOne() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5))) {
            MIST.get().faults().add(FaultRule.any().delay(Duration.ofMillis(300)));
            var local = proxy.http.sendAsync(PolicyProxies.command(proxy, MistCommands.GET_STATE),
                                             HttpResponse.BodyHandlers.ofString());
            try (RawHttpConnection remote = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
                RawHttpConnection.Response answer = remote.exchange(RawHttpConnection.formCommand("/",
                        MistCommands.GET_STATE, "X-Forwarded-For: 203.0.113.7"));
                assertThat(answer.header("Mistguard-Decision")).isEqualTo("proxied");
                assertThat(answer.body()).contains("\"status\":\"CHALL\"");
            }
            assertThat(local.get().body()).contains("\"local\":true");
            assertThat(MIST.get().recording().commandCount("active_streams")).isEqualTo(2);
        }
    }

    @Test
    void remoteCallersInvalidationIsSentToMistOnItsOwnConnectionNotQueuedAsLocal() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             RawHttpConnection remote = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            RawHttpConnection.Response answer = remote.exchange(RawHttpConnection.formCommand("/api2",
                    "{\"invalidate_sessions\":\"video+stream0\"}", "X-Forwarded-For: 203.0.113.7"));
            assertThat(answer.header("Mistguard-Decision")).isEqualTo("proxied");
            assertThat(answer.body()).contains("\"status\":\"CHALL\"");
            assertThat(proxy.mistguard.invalidationStats().accepted()).isZero();
        }
    }

    /**
     * Regression (found by attacking this work): a caller that named its forwarding header in
     * {@code Connection} had it removed as hop-by-hop after the trust decision (and the
     * {@code X-Real-IP} mistguard added, too), so Mist saw a plain loopback request and trusted it.
     */
    @Test
    void forwardingHeaderNamedInConnectionCannotVanishAfterTheTrustDecision() throws Exception {
        ProxyConfig config = TestProxy.config(MIST.get().port(), Duration.ofSeconds(5))
                .withTrustedPeers(new TrustedPeers(List.of()));
        try (TestProxy proxy = TestProxy.start(config)) {
            int port = proxy.mistguard.proxyAddress().getPort();
            for (String[] headers : new String[][] {{"X-Real-IP: 203.0.113.7", "Connection: X-Real-IP"},
                                                    {"Connection: keep-alive, x-real-ip"},
                                                    {"X-Forwarded-For: a", "Connection: X-Forwarded-For"}}) {
                try (RawHttpConnection remote = new RawHttpConnection(port)) {
                    RawHttpConnection.Response answer = remote.exchange(
                            RawHttpConnection.formCommand("/api2", CONFIG_BACKUP, headers));
                    assertThat(answer.body()).as(String.join(", ", headers)).contains("\"status\":\"CHALL\"")
                            .doesNotContain("\"local\"");
                }
            }
        }
    }

    @Test
    void webSocketUpgradeNamingItsForwardingHeaderInConnectionIsStillMarkedRemote() throws Exception {
        ProxyConfig config = TestProxy.config(MIST.get().port(), Duration.ofSeconds(5))
                .withTrustedPeers(new TrustedPeers(List.of()));
        try (TestProxy proxy = TestProxy.start(config);
             java.net.Socket socket = new java.net.Socket("127.0.0.1", proxy.mistguard.proxyAddress().getPort())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET /ws?logs=1 HTTP/1.1\r\nHost: mist\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade, X-Real-IP\r\nX-Real-IP: 127.0.0.1\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            byte[] buffer = new byte[4096];
            StringBuilder got = new StringBuilder();
            while (!got.toString().contains("status")) {
                int n = socket.getInputStream().read(buffer);
                if (n < 0) {
                    break;
                }
                got.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            assertThat(got.toString()).startsWith("HTTP/1.1 101").contains("CHALL").doesNotContain("\"local\"");
        }
    }

    private static String challengeOf(String body) {
        Matcher m = Pattern.compile("\"challenge\":\"([0-9a-f]+)\"").matcher(body);
        assertThat(m.find()).as("a CHALL answer: " + body).isTrue();
        return m.group(1);
    }

    private static String md5(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
