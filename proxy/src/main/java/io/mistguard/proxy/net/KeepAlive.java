package io.mistguard.proxy.net;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Whether an HTTP/1.x message leaves its connection open for another exchange (RFC 9112 §9.3): the
 * answer of Netty's {@link HttpUtil#isKeepAlive}, for every message, with the common case — no
 * {@code Connection} field — decided by one lookup and the protocol version's default (open in
 * HTTP/1.1, closed in HTTP/1.0). With the field present, Netty's rule decides ({@code close} in any
 * of its comma-separated tokens closes; HTTP/1.0 stays open only with {@code keep-alive}).
 *
 * <p>Why not call {@code HttpUtil.isKeepAlive} directly: it walks the {@code Connection} values
 * for {@code close} even when there is no such field, and mistguard asks it several times per
 * proxied request (the caller's request, Mist's answer); {@code deploy/bench/profile.sh} put 0.6% of
 * the small-GET path's CPU in those walks. Stateless and thread-safe.
 */
public final class KeepAlive {

    private KeepAlive() {
    }

    /** Whether {@code message} keeps its connection open, exactly as {@link HttpUtil#isKeepAlive} says. */
    public static boolean isKeepAlive(HttpMessage message) {
        if (!message.headers().contains(HttpHeaderNames.CONNECTION)) {
            return message.protocolVersion().isKeepAliveDefault();
        }
        return HttpUtil.isKeepAlive(message);
    }
}
