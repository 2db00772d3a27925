package io.mistguard.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.TrustedPeers;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket tunnel's trust marking: an upgrade from a peer outside {@code trusted_peers} must
 * reach Mist with {@code X-Real-IP}, the one header every Mist build reads as "remote".
 */
class RemoteMarkingTest {

    private static final RemoteMarking MARKING = new RemoteMarking(TrustedPeers.defaults());

    @Test
    void anUpgradeFromAnUntrustedPeerWithOnlyXForwardedForIsMarkedRemoteRegression() {
        HttpHeaders headers = new DefaultHttpHeaders().add("X-Forwarded-For", "10.0.0.1");
        MARKING.addTo(peer("203.0.113.7"), headers);
        assertThat(headers.get("X-Real-IP")).as("Catalyst's Mist ignores X-Forwarded-For").isEqualTo("203.0.113.7");
        assertThat(headers.get("X-Forwarded-For")).isEqualTo("10.0.0.1");
    }

    @Test
    void anUntrustedPeersOwnXRealIpIsKeptAndATrustedPeerIsNotMarked() {
        HttpHeaders own = new DefaultHttpHeaders().add("X-Real-IP", "10.0.0.1");
        MARKING.addTo(peer("203.0.113.7"), own);
        assertThat(own.getAll("X-Real-IP")).containsExactly("10.0.0.1");

        HttpHeaders local = new DefaultHttpHeaders();
        MARKING.addTo(peer("127.0.0.1"), local);
        assertThat(local.contains("X-Real-IP")).isFalse();

        HttpHeaders bare = new DefaultHttpHeaders();
        MARKING.addTo(peer("203.0.113.7"), bare);
        assertThat(bare.get("X-Real-IP")).isEqualTo("203.0.113.7");
    }

    private static EmbeddedChannel peer(String address) {
        return new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress(address, 40000);
            }
        };
    }
}
