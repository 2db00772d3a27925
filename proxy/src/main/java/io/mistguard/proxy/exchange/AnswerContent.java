package io.mistguard.proxy.exchange;

import io.netty.handler.codec.http.FullHttpResponse;

/**
 * Whether an answer may carry content at all: not an answer to a {@code HEAD}, and not a 1xx, 204,
 * 205 or 304 answer (RFC 9110 §9.3.2, §15.2, §15.3.5, §15.3.6, §15.4.5; RFC 9112 §6.3; Netty's
 * response encoder drops a 205's body and sends {@code Content-Length: 0}). A caller reads no content
 * after the head of such an answer, so what an answer object holds there is never sent: the proxy
 * listener's framing drops it, and the access logs of both listeners count it as 0 bytes sent.
 * Stateless; thread-safe.
 */
public final class AnswerContent {

    private AnswerContent() {
    }

    /**
     * @param status the answer's status code, 100–599
     * @param headRequest whether the request it answers was a {@code HEAD}
     * @return whether the answer's body bytes are sent to the caller
     */
    public static boolean isSent(int status, boolean headRequest) {
        return !headRequest && status >= 200 && status != 204 && status != 205 && status != 304;
    }

    /** The body bytes the caller gets of {@code response}: its readable content, or 0 if it may carry none. */
    public static int bytesSent(FullHttpResponse response, boolean headRequest) {
        return isSent(response.status().code(), headRequest) ? response.content().readableBytes() : 0;
    }
}
