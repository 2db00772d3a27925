package io.mistguard.proxy.classify;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * How far mistguard may vouch for one request towards Mist, which trusts TCP connections, not
 * requests (mist-api.md §2, §8: a loopback connection without a forwarding header is authorised, and
 * that trust, like a login, sticks to the connection). Which header counts depends on the build:
 * upstream Mist 3.10 treats a request with {@code X-Real-IP} or {@code X-Forwarded-For} as remote,
 * Catalyst's fork only one with {@code X-Real-IP} ({@code controller_api.cpp}: {@code !H.hasHeader("X-Real-IP")
 * && conn.isLocal()}). So only {@code X-Real-IP} marks a request remote for every build.
 *
 * <p>A request is <em>local-equivalent</em> when its peer is in {@code trusted_peers} and it carries
 * neither {@code X-Forwarded-For} nor {@code X-Real-IP}: Mist would trust it had it connected
 * directly. Only such a request, when it also carries no {@code Authorization} header and no
 * {@code authorize} command (a login is connection state), may {@link #SHARED share} pooled
 * connections, coalesced calls and stored answers. Stateless.
 */
public enum Trust {
    /** Local-equivalent and stateless: shared pool, coalescing and stored answers allowed. */
    SHARED,
    /** Rides the connection reserved for its client connection, unchanged. */
    PRIVATE,
    /**
     * From a peer outside {@code trusted_peers} without {@code X-Real-IP}: rides a private
     * connection, with {@code X-Real-IP: <peer>} added so that Mist treats it as remote. The one case
     * where mistguard adds such a header. Found by review: a request that carried only
     * {@code X-Forwarded-For} was left unmarked, and Catalyst's Mist, which reads only
     * {@code X-Real-IP}, authorised it as local — any remote caller could run any command.
     */
    PRIVATE_MARKED_REMOTE;

    /**
     * The forwarding headers whose presence makes Mist treat a loopback connection as remote. Looked
     * up on every request: {@link AsciiString}s hash once, {@code String} names at every lookup.
     */
    public static final AsciiString X_REAL_IP = AsciiString.cached("X-Real-IP");
    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");

    /**
     * Whether a request must be marked remote with {@code X-Real-IP}: its peer is outside
     * {@code trusted_peers} and it carries no {@code X-Real-IP} (an {@code X-Forwarded-For} alone does
     * not make Catalyst's Mist treat it as remote). Decide it on the headers as they
     * will reach Mist — after hop-by-hop fields (and whatever {@code Connection} names) are removed —
     * or a caller could name its own forwarding header in {@code Connection} and have it vanish
     * after the decision.
     */
    public static boolean needsRealIp(boolean peerTrusted, HttpHeaders headers) {
        return !peerTrusted && !headers.contains(X_REAL_IP);
    }

    /**
     * Decide it on the headers as they will reach Mist (see {@link #needsRealIp}).
     *
     * @param peerTrusted whether the client connection's peer is in {@code trusted_peers}
     * @param headers the request's headers as received
     * @param request the request's classification (for an {@code authorize} command)
     */
    public static Trust of(boolean peerTrusted, HttpHeaders headers, MistRequest request) {
        boolean forwarded = headers.contains(X_FORWARDED_FOR) || headers.contains(X_REAL_IP);
        if (!peerTrusted) {
            return needsRealIp(false, headers) ? PRIVATE_MARKED_REMOTE : PRIVATE;
        }
        if (forwarded || headers.contains(HttpHeaderNames.AUTHORIZATION)
                || request.commandKeys().contains("authorize")) {
            return PRIVATE;
        }
        return SHARED;
    }
}
