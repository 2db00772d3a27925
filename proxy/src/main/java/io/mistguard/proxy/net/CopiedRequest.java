package io.mistguard.proxy.net;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

/**
 * A new {@code FullHttpRequest} whose request line comes from a request Netty has already checked:
 * one its decoder made, or one built with Netty's checks on. Such a line is not checked again.
 *
 * <p>Netty's request constructors re-check the method and URI (no CR, LF or space, so that the line
 * cannot be split when it is written out again). Every request that reaches Mist was copied at least
 * once: the bodyless form out of the decoder, the HTTP/1.1 form for Mist, and a copy per attempt so
 * that a retry can resend. Checking the same line each time cost about 0.65 µs per request in
 * {@code deploy/bench/profile.sh}'s small-GET profile, 1.8% of its CPU. The check happened once
 * already, where the line came in (the decoder also splits the line at every whitespace byte, CR
 * included, so no target it hands on holds one).
 *
 * <p>Only for a method and URI read from such a request; a line from anywhere else (configuration,
 * a string built here) goes through Netty's own constructors. A copy is made with Netty's checks
 * off, so {@code setUri} and {@code setMethod} on it are not checked either: mistguard's only
 * rewrite, {@code RequestTarget.toOriginForm}, sets a part of the checked URI; code that would set
 * a line from elsewhere must build a new request with Netty's checked constructors. Stateless;
 * thread-safe.
 */
public final class CopiedRequest {

    private CopiedRequest() {
    }

    /**
     * A request with the given parts, its line not checked again.
     *
     * @param method the method of a request Netty checked
     * @param uri the URI of that request
     * @param content taken over: the new request releases it
     * @param headers used as they are, not copied
     * @param trailers used as they are, not copied
     */
    public static FullHttpRequest of(HttpVersion version, HttpMethod method, String uri, ByteBuf content,
                                     HttpHeaders headers, HttpHeaders trailers) {
        return new DefaultFullHttpRequest(version, method, uri, content, headers, trailers, false);
    }
}
