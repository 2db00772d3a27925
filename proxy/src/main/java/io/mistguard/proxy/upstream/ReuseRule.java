package io.mistguard.proxy.upstream;

import io.mistguard.proxy.classify.MistHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import java.nio.charset.StandardCharsets;

/**
 * Whether an upstream connection may carry another request after an answer: never hand out a
 * connection that the server may be closing, or whose next bytes may not belong to the next answer.
 *
 * <p>Never reused, whatever the server ({@link #HTTP}):
 * <ul>
 *   <li>after an answer or request that ends keep-alive ({@code Connection: close}, or HTTP/1.0
 *       without {@code keep-alive}; RFC 9112 §9.3);
 *   <li>after a {@code HEAD}: Mist answers it with a full body (mist-api.md §8) that a conforming
 *       decoder leaves unread on the connection, where it would be taken for the next answer;
 *   <li>after a {@code 204} or {@code 304} that announces a body, for the same reason.
 * </ul>
 * Not reused either on Mist's API port ({@link #MIST}):
 * <ul>
 *   <li>after Mist's web UI page, after which Mist closes the connection without saying so
 *       (mist-api.md §1): any HTML answer, and any answer to a request Mist serves with that page —
 *       a path other than {@code /api} and {@code /api2} carrying no command;
 *   <li>after Mist's 403 without a length ({@link HeadOnlyAnswers}), whose framing is unknown.
 * </ul>
 * The Mist-only rules are about Mist: applied to catalyst-api's trigger endpoint, every trigger (a
 * plain-text payload to {@code /api/mist/trigger}) looked like a web UI request, and no connection
 * to catalyst-api was ever reused (found by review). Stateless.
 */
public enum ReuseRule {

    /** Mist's API port (mist-api.md §1, §8). */
    MIST {
        @Override
        public boolean afterRequest(FullHttpRequest request) {
            return HTTP.afterRequest(request) && !servedWithWebUi(request);
        }

        @Override
        public boolean afterAnswer(FullHttpResponse response) {
            if (!HTTP.afterAnswer(response) || HeadOnlyAnswers.isLoginChallenge(response)) {
                return false;
            }
            String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
            return type == null || !type.regionMatches(true, 0, "text/html", 0, 9);
        }
    },

    /** A server that frames its answers as HTTP/1.1 says: catalyst-api's Go server (the trigger direction). */
    HTTP {
        @Override
        public boolean afterRequest(FullHttpRequest request) {
            return HttpUtil.isKeepAlive(request) && !request.method().equals(HttpMethod.HEAD);
        }

        @Override
        public boolean afterAnswer(FullHttpResponse response) {
            return HttpUtil.isKeepAlive(response) && !bodilessAnnouncingABody(response);
        }
    };

    private static final ByteBuf COMMAND = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer("command=".getBytes(StandardCharsets.US_ASCII)));

    /** Whether the connection that carried {@code request} and its complete {@code response} may carry another. */
    public final boolean reusable(FullHttpRequest request, FullHttpResponse response) {
        return afterRequest(request) && afterAnswer(response);
    }

    /**
     * The request's half of {@link #reusable}: whether, as far as {@code request} goes, its
     * connection may carry another. Every rule looks at the request or at the answer, never at both,
     * so a caller may decide this half when it sends the request (see {@code UpstreamCall}) and the
     * other when the answer is in.
     */
    public abstract boolean afterRequest(FullHttpRequest request);

    /** The answer's half of {@link #reusable}: whether, as far as {@code response} goes, its connection may carry another. */
    public abstract boolean afterAnswer(FullHttpResponse response);

    /**
     * A {@code 204} or {@code 304} that announces a body ({@code Content-Length} above 0, or a
     * {@code Transfer-Encoding}): such an answer ends at its head (RFC 9112 §6.3), so the body a
     * faulty server sends after it would be read as the start of the next answer on the connection
     * (found by review: the next trigger, answered 200 in time, got its fallback as a bad response).
     * A {@code 304}'s length may be the representation's (RFC 9110 §8.6); none is asked for here.
     */
    private static boolean bodilessAnnouncingABody(FullHttpResponse response) {
        int code = response.status().code();
        if (code != 204 && code != 304) {
            return false;
        }
        if (response.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return true;
        }
        String length = response.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        return length != null && !length.trim().equals("0");
    }

    /** A request Mist answers with its web UI page: not an API path, and no command anywhere. */
    private static boolean servedWithWebUi(FullHttpRequest request) {
        String uri = request.uri();
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        if (path.equals("/api") || path.equals("/api2")) {
            return false;
        }
        if (query >= 0 && uri.indexOf("command=", query) >= 0) {
            return false;
        }
        if (!request.content().isReadable()) {
            return true;
        }
        return !"application/json".equals(MistHeaders.get(request.headers(), "Content-Type"))
                && ByteBufUtil.indexOf(COMMAND, request.content()) < 0;
    }
}
