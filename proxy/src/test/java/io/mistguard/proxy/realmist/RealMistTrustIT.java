package io.mistguard.proxy.realmist;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.MistCommands;
import io.mistguard.proxy.Mistguard;
import io.mistguard.proxy.realmist.RawHttp.Reply;
import java.io.IOException;
import io.mistguard.proxy.config.TrustedPeers;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A caller Mist would not trust directly is not trusted through mistguard either. Mist trusts a TCP
 * connection, once, for its lifetime (mist-api.md §2, §8); mistguard's shared upstream connections
 * are loopback connections Mist trusted as local on their first request. A forwarded caller
 * ({@code X-Forwarded-For} or {@code X-Real-IP}) that rode one of them got Mist's full local rights
 * ({@code config_backup}, {@code nuke_stream}, config writes) with no password, and so did any
 * caller from another pod. Directly, Mist answers both with a login challenge ({@code CHALL}).
 */
@RealMistTier
class RealMistTrustIT {

    /** A command whose answer shows at once whether the connection was trusted: the whole config. */
    static final String CONFIG_BACKUP = "{\"config_backup\":true}";

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

    static Stream<Arguments> forwardingHeadersAndCommands() {
        return Stream.of("X-Forwarded-For", "X-Real-IP").flatMap(header -> Stream.of(
                Arguments.of(header, "config_backup", CONFIG_BACKUP),
                Arguments.of(header, "GetState", MistCommands.GET_STATE)));
    }

    /** The baseline: what Mist itself does with a forwarded caller on a fresh connection. */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("forwardingHeadersAndCommands")
    void mistChallengesAForwardedCallerOnAFreshConnection(String header, String name, String command)
            throws IOException {
        try (RawHttp direct = RawHttp.connect(RealMist.address())) {
            assertChallenged("a forwarded caller straight to Mist",
                    direct.postJson("/api2", command, header + ": " + RealMist.REMOTE_CALLER));
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("forwardingHeadersAndCommands")
    void forwardedCallerIsChallengedAfterLocalCallersUsedTheSharedPool(String header, String name, String command)
            throws IOException {
        InetSocketAddress proxy = mistguard.proxyAddress();
        try (RawHttp local = RawHttp.connect(proxy)) {
            for (int i = 0; i < 3; i++) {
                Reply state = local.postForm("/", MistCommands.GET_STATE);
                assertThat(MistJson.authorize(state.body())).as("a loopback caller without forwarding headers")
                        .containsEntry("status", "OK").containsEntry("local", true);
            }
            try (RawHttp forwarded = RawHttp.connect(proxy)) {
                assertChallenged("a forwarded caller on a new connection to mistguard",
                        forwarded.postJson("/api2", command, header + ": " + RealMist.REMOTE_CALLER));
            }
        }
    }

    /**
     * A caller outside {@code trusted_peers}, such as another pod, sends no forwarding header;
     * mistguard must present it to Mist as remote ({@code X-Real-IP}), not as itself. Here a mistguard
     * that trusts nobody ({@code trusted_peers: []}) stands in, so that the caller stays on loopback.
     */
    @Test
    void callerOutsideTrustedPeersIsChallengedWithoutAnyForwardingHeader() throws Exception {
        try (Mistguard trustingNobody = RealMist.startMistguard("127.0.0.1", new TrustedPeers(List.of()));
             RawHttp caller = RawHttp.connect(trustingNobody.proxyAddress())) {
            assertChallenged("an untrusted caller", caller.postJson("/api2", CONFIG_BACKUP));
            assertChallenged("an untrusted caller", caller.postForm("/", MistCommands.GET_STATE));
        }
    }

    /** Mist's answer to a caller it does not trust: a login challenge, and nothing that was asked for. */
    static void assertChallenged(String caller, Reply reply) {
        assertThat(reply.status()).as("status of the answer to %s: %s", caller, reply).isEqualTo(200);
        String body = reply.body();
        // Described by its authorize object and keys only: a trusted config_backup answer holds the
        // account's password hash, which has no place in a test report.
        assertThat(body.contains("\"status\":\"CHALL\"") && !body.contains("\"local\":true"))
                .as("%s must get Mist's CHALL, not a trusted answer; got authorize=%s with keys %s", caller,
                        MistJson.authorize(body), MistJson.object(body).keySet())
                .isTrue();
        assertThat(MistJson.object(body).keySet()).as("keys of the answer to %s", caller)
                .doesNotContain("config_backup", "active_streams", "push_list", "config");
    }
}
