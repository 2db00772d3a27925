package io.mistguard.proxy.server;

import io.mistguard.proxy.classify.Trust;
import io.mistguard.proxy.config.TrustedPeers;
import io.mistguard.proxy.server.tunnel.TunnelSettings;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;

/**
 * Marks a WebSocket upgrade from a peer outside {@code trusted_peers} as remote
 * ({@code X-Real-IP: <peer>}) when it carries no {@code X-Real-IP}: the tunnel's hook, applied after
 * the tunnel removed the hop-by-hop fields, so that a header the caller named in {@code Connection}
 * cannot vanish after the decision ({@link Trust#needsRealIp}). Immutable; thread-safe.
 */
public final class RemoteMarking implements TunnelSettings.ExtraHeaders {

    private final TrustedPeers trustedPeers;

    public RemoteMarking(TrustedPeers trustedPeers) {
        this.trustedPeers = trustedPeers;
    }

    @Override
    public void addTo(Channel client, HttpHeaders headers) {
        InetSocketAddress peer = client.remoteAddress() instanceof InetSocketAddress inet ? inet : null;
        boolean trusted = peer != null && trustedPeers.contains(peer.getAddress());
        if (Trust.needsRealIp(trusted, headers)) {
            headers.set(Trust.X_REAL_IP, peer != null ? peer.getAddress().getHostAddress()
                                                      : String.valueOf(client.remoteAddress()));
        }
    }
}
