package io.mistguard.proxy.net;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Whether a caller asked to keep its connection open (RFC 9112 §9.3): HTTP/1.1 and later unless
 * {@code Connection: close}; HTTP/1.0 only with {@code Connection: keep-alive}; anything older never. Netty's
 * {@code HttpUtil.isKeepAlive} goes by a version's own default instead, which is "keep alive" for
 * every version it makes up as it parses ({@code HTTP/0.9}, a lower-case {@code http/1.0}), so such
 * callers were kept open. Used by every listener; stateless; thread-safe.
 */
public final class KeepAlive {

    private KeepAlive() {
    }

    /** Whether {@code request}'s caller may send another request on the same connection. */
    public static boolean requested(HttpRequest request) {
        HttpHeaders headers = request.headers();
        if (headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)) {
            return false;
        }
        HttpVersion version = request.protocolVersion();
        if (version.compareTo(HttpVersion.HTTP_1_1) >= 0) {
            return true;
        }
        // RFC 9112 §9.3: before 1.1, only an HTTP/1.0 connection persists, and only on keep-alive.
        return version.majorVersion() == 1 && version.minorVersion() == 0
                && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE, true);
    }

    /**
     * Says in {@code answer} whether the connection stays open, in the words the caller's version
     * needs (RFC 9112 §9.3, §9.6): {@code Connection: close} when it does not; when it does, nothing
     * for HTTP/1.1 and later (persistence is their default) and {@code Connection: keep-alive} for an
     * older caller, which otherwise takes the answer as the connection's last and leaves a socket
     * the server still holds. Replaces any {@code Connection} field the answer had.
     *
     * @param keepAlive whether the server keeps the connection open after this answer
     * @param callerVersion the version of the request being answered
     */
    public static void mark(HttpResponse answer, boolean keepAlive, HttpVersion callerVersion) {
        if (!keepAlive) {
            answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (callerVersion.compareTo(HttpVersion.HTTP_1_1) < 0) {
            answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        } else {
            answer.headers().remove(HttpHeaderNames.CONNECTION);
        }
    }
}
