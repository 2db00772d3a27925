package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.junit.SimMistExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault "mistguard vouches for a remote caller", over real loopback sockets, against a sim-mist
 * that trusts as Catalyst's build of Mist does (only {@code X-Real-IP} hides a loopback peer): a
 * caller outside {@code trusted_peers} that sent its own {@code X-Forwarded-For} went to Mist
 * unmarked, and Catalyst's Mist ran its {@code nuke_stream} as a local caller's. Loopback is taken
 * out of {@code trusted_peers} here so that the test's own connections count as remote.
 */
class ForwardedForTrustRegressionIT {

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(1, 1).onlyRealIpHidesPeer(true)
                                                                      .catalystLoginPenalty(false));

    @Test
    void aRemoteCallersOwnXForwardedForDoesNotMakeCatalystsMistTrustItRegression() throws Exception {
        try (TestProxy proxy = PolicyProxies.start("trusted_peers: [\"10.9.9.9/32\"]\n", MIST.get().port());
             RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            String nuke = "GET /api2?command=%7B%22nuke_stream%22%3A%22video%2Bstream0%22%7D HTTP/1.1\r\n"
                          + "Host: mist\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n";
            RawHttpConnection.Response answer = client.exchange(nuke);
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).as("Mist asks a remote caller to log in").contains("CHALL")
                                     .doesNotContain("\"local\"");
            assertThat(MIST.get().recording().executedCount("nuke_stream")).isZero();
            assertThat(MIST.get().recording().requests().get(0).headers())
                    .as("marked remote with the caller's own address").containsEntry("x-real-ip", "127.0.0.1");
        }
    }

    /** The same sim-mist trusts a loopback caller with only X-Forwarded-For: the test can fail. */
    @Test
    void catalystsMistTrustsALoopbackRequestWithOnlyXForwardedFor() throws Exception {
        try (RawHttpConnection direct = new RawHttpConnection(MIST.get().port())) {
            RawHttpConnection.Response answer = direct.exchange(
                    "GET /api2?command=%7B%22active_streams%22%3Atrue%7D HTTP/1.1\r\nHost: mist\r\n"
                    + "X-Forwarded-For: 203.0.113.9\r\n\r\n");
            assertThat(answer.body()).contains("\"local\":true");
        }
    }
}
