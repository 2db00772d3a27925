package io.mistguard.proxy.net;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Aggregates each request of a listener into one {@code FullHttpRequest}, and writes nothing to the
 * caller itself: every answer it would otherwise write at once goes downstream in the request's
 * place, so that the listener's last handler, which answers a connection's requests one at a time
 * and in order, answers it in its turn (RFC 9112 §9.3.2). Netty's aggregator writes its 413,
 * 417 and {@code 100 Continue} the moment a request's head arrives, ahead of the answers still owed
 * to the requests pipelined before it; the earlier answers were then lost as the connection closed,
 * or framed by the wrong request's method.
 *
 * <ul>
 *   <li>A body over {@code maxBodyBytes} (announced by {@code Content-Length} or found while
 *       aggregating): an invalid request whose cause is a {@link BodyRefusal} of
 *       {@link BodyRefusal.Reason#BODY_TOO_LARGE}; the rest of the body is dropped. The handler
 *       answers 413 and closes: the rest of the body may still be on its way and cannot be told
 *       apart from a next request.</li>
 *   <li>{@code Expect} with anything but {@code 100-continue} on HTTP/1.1 (RFC 9110 §10.1.1): an
 *       invalid request of {@link BodyRefusal.Reason#EXPECTATION_FAILED}; its body is dropped here,
 *       passed on to no one.</li>
 *   <li>{@code Expect: 100-continue} with an acceptable length and the body still to come:
 *       {@link ContinueExpected} ahead of the request, and the {@code Expect} field removed (the
 *       expectation is met here, not by Mist). On HTTP/1.0 the expectation is ignored, as RFC 9110
 *       requires, and removed: Mist gets the request as HTTP/1.1, where it would count.</li>
 * </ul>
 *
 * <p>An invalid request carries the head's version, method, target and fields (a copy), and no
 * content. Never an answer of its own ({@link OneReadAggregator}): {@link #decode} has dealt with
 * every expectation before the base class sees the head. A request whose head and body arrive in
 * one read gets its body as it came, without a composite buffer ({@link OneReadAggregator}). One
 * instance per channel, used only from its event loop.
 */
public final class RequestAggregator extends OneReadAggregator {

    private final int maxBodyBytes;
    private final String tooLargeDetail;
    /** The body of a request refused for its expectation is arriving: dropped up to its end. */
    private boolean droppingBody;

    /**
     * @param maxBodyBytes the largest body accepted, in bytes, ≥ 0
     * @param what what the body belongs to, for the 413's text ("request", "trigger")
     */
    public RequestAggregator(int maxBodyBytes, String what) {
        super(maxBodyBytes);
        this.maxBodyBytes = maxBodyBytes;
        this.tooLargeDetail = "the " + what + " body exceeds " + maxBodyBytes + " bytes";
    }

    /** Also the body of a request refused for its expectation, which the base class would pass on. */
    @Override
    public boolean acceptInboundMessage(Object msg) throws Exception {
        return droppingBody && msg instanceof HttpContent && !(msg instanceof HttpMessage)
                || super.acceptInboundMessage(msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) throws Exception {
        if (droppingBody && !(msg instanceof HttpMessage)) {
            droppingBody = !(msg instanceof LastHttpContent); // released by the base class, passed on to no one
            return;
        }
        droppingBody = false;
        if (msg instanceof HttpRequest head && head.decoderResult().isSuccess()
                && head.headers().contains(HttpHeaderNames.EXPECT)) {
            // RFC 9110 §10.1.1: the expectation counts on HTTP/1.1 and later, and is ignored on HTTP/1.0.
            boolean counts = head.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0;
            if (counts && !onlyContinue(head)) {
                // Not handed to the aggregator, which aggregates nothing meanwhile; its body is dropped here.
                out.add(refused(head, new BodyRefusal(BodyRefusal.Reason.EXPECTATION_FAILED,
                        "only Expect: 100-continue is supported")));
                droppingBody = !(msg instanceof LastHttpContent);
                return;
            }
            // Met here or ignored, never Mist's: it gets the request as HTTP/1.1, where the field would count.
            head.headers().remove(HttpHeaderNames.EXPECT);
            if (counts && !(msg instanceof LastHttpContent) && HttpUtil.getContentLength(head, 0L) <= maxBodyBytes) {
                out.add(ContinueExpected.INSTANCE);
            } // a length over the limit: the aggregator finds it too large, below, and refuses it
        }
        super.decode(ctx, msg, out);
    }

    /** Called from within {@link #decode}, before anything of this message was passed on. */
    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (oversized instanceof HttpRequest request) {
            ctx.fireChannelRead(refused(request, new BodyRefusal(BodyRefusal.Reason.BODY_TOO_LARGE, tooLargeDetail)));
        } else {
            ctx.close(); // not on a listener: a response is never aggregated here
        }
    }

    /** Whether every {@code Expect} value is {@code 100-continue} (case-insensitive: a token). */
    private static boolean onlyContinue(HttpRequest head) {
        for (String expectation : head.headers().getAll(HttpHeaderNames.EXPECT)) {
            if (!HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expectation.trim())) {
                return false;
            }
        }
        return true;
    }

    private static FullHttpRequest refused(HttpRequest head, BodyRefusal why) {
        FullHttpRequest refused = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
                Unpooled.EMPTY_BUFFER, head.headers().copy(), EmptyHttpHeaders.INSTANCE);
        refused.setDecoderResult(DecoderResult.failure(why));
        return refused;
    }
}
