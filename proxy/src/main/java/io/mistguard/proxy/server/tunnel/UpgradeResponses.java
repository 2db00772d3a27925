package io.mistguard.proxy.server.tunnel;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.AnswerHeaders;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.ProxyResponses;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * Frames the answers to an upgrade request for the caller: Mist's 101 as it came, Mist's refusal with
 * a {@code Content-Length} and {@code Connection: close}, or mistguard's own rejection. Every one
 * carries {@code Mistguard-Decision}. Stateless.
 */
final class UpgradeResponses {

    private static final List<CharSequence> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION, "proxy-connection",
            "keep-alive", HttpHeaderNames.TE, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE);

    private UpgradeResponses() {
    }

    /**
     * Mist's 101, headers intact ({@code Upgrade}, {@code Connection}, {@code Sec-WebSocket-Accept},
     * ...). Only framing fields go: a 1xx has no body, and the aggregator that read it added a
     * {@code Content-Length} that RFC 9110 §8.6 forbids on a 1xx.
     */
    static FullHttpResponse switching(FullHttpResponse response) {
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        response.headers().remove(HttpHeaderNames.CONTENT_LENGTH).remove(HttpHeaderNames.TRANSFER_ENCODING)
                .set(AnswerHeaders.DECISION, Decision.PROXIED.header());
        return response;
    }

    /**
     * Mist's answer other than 101, for a connection that closes after it: hop-by-hop fields removed
     * (RFC 9110 §7.6.1), {@code Connection: close}, and a {@code Content-Length} for the aggregated body.
     */
    static FullHttpResponse declined(FullHttpResponse response) {
        HttpHeaders headers = response.headers();
        for (String named : UpgradeRequests.namedByConnection(headers)) {
            headers.remove(named);
        }
        for (CharSequence name : HOP_BY_HOP) {
            headers.remove(name);
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        int code = response.status().code();
        if (code == HttpResponseStatus.NO_CONTENT.code()) {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        } else if (code != HttpResponseStatus.NOT_MODIFIED.code()) {
            HttpUtil.setContentLength(response, response.content().readableBytes());
        }
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE).set(AnswerHeaders.DECISION,
                                                                                      Decision.PROXIED.header());
        return response;
    }

    /** mistguard's own answer ({@link ProxyResponses#rejection}), for a connection that closes after it. */
    static FullHttpResponse rejection(ByteBufAllocator alloc, HttpResponseStatus status, Decision decision,
                                      String detail) {
        Answer answer = ProxyResponses.rejection(alloc, status, decision, detail);
        AnswerHeaders.write(answer);
        answer.response().headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return answer.response();
    }
}
