package io.mistguard.proxy.exchange;

import io.mistguard.proxy.net.ConnectionCap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Builds the answers mistguard gives on its own: a status and a short plain-text body naming the
 * reason, as an {@link Answer} whose {@link Decision} the edge writes as {@code Mistguard-Decision}.
 *
 * <p>The body is deliberately not JSON: catalyst-api parses every API reply as JSON and, when that
 * fails, gives up at once instead of logging in again and re-sending (mist-api.md §4). A 503 carries
 * {@code Retry-After: 1} because catalyst-api sleeps for whatever it is told, uncapped.
 */
public final class ProxyResponses {

    private ProxyResponses() {
    }

    /**
     * mistguard's own answer, without route or attempts (the layer that knows them adds them).
     *
     * @param decision a {@linkplain Decision#rejected() rejection}, named in the body and the header
     * @param detail one human-readable sentence, or {@code null}
     * @throws IllegalArgumentException when {@code decision} is not a rejection
     */
    public static Answer rejection(ByteBufAllocator alloc, HttpResponseStatus status, Decision decision,
                                   String detail) {
        return Answer.of(response(alloc, status, decision, detail), decision);
    }

    /**
     * The whole answer, as bytes, a connection over a listener's cap gets ({@code ConnectionCap}): a
     * 503 {@code too-many-connections} with its {@code Mistguard-Decision}, written before any HTTP
     * handler of the connection runs. A new array each call.
     */
    public static byte[] tooManyConnections() {
        Decision decision = Decision.TOO_MANY_CONNECTIONS;
        return ConnectionCap.serviceUnavailable("mistguard: 503 Service Unavailable: " + decision.token() + "\n",
                                                AnswerHeaders.DECISION + ": " + decision.header());
    }

    /**
     * The response of {@link #rejection}, for the edge handlers that write it themselves; it carries no
     * {@code Mistguard-Decision} yet ({@link AnswerHeaders#write}).
     */
    public static FullHttpResponse response(ByteBufAllocator alloc, HttpResponseStatus status, Decision decision,
                                            String detail) {
        if (!decision.rejected()) {
            throw new IllegalArgumentException(decision + " is not a rejection");
        }
        String text = "mistguard: " + status.code() + " " + status.reasonPhrase() + ": " + decision.token()
                + (detail == null ? "" : " (" + detail + ")") + "\n";
        // On the heap, not in direct memory: the answer to a request that ran direct memory out
        // must not need any (it is copied out when written, a few hundred bytes).
        ByteBuf body = alloc.heapBuffer(ByteBufUtil.utf8MaxBytes(text));
        ByteBufUtil.writeUtf8(body, text);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (status.code() == 503 || status.code() == 429) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
        }
        return response;
    }
}
