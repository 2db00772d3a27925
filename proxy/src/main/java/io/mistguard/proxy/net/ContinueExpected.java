package io.mistguard.proxy.net;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The message {@link RequestAggregator} passes downstream when a request's head asked for
 * {@code Expect: 100-continue} and its body is still to come: the listener's last handler writes the
 * interim {@link #response() 100 (Continue)} when that request's turn comes, after the final answers
 * of every request before it (RFC 9112 §9.3.2: answers go out in request order, and a client takes a
 * 1xx as belonging to the oldest request it has no final answer to). Once the request is whole, a
 * 100 not yet sent is not sent: the client has already sent its body (RFC 9110 §10.1.1 lets a server
 * omit it then). A stateless singleton; it holds no buffer and needs no release.
 */
public final class ContinueExpected {

    /** The one instance. */
    public static final ContinueExpected INSTANCE = new ContinueExpected();

    private ContinueExpected() {
    }

    /** A new {@code 100 Continue}, with no content; the caller writes it. */
    public static FullHttpResponse response() {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER);
    }

    @Override
    public String toString() {
        return "ContinueExpected";
    }
}
