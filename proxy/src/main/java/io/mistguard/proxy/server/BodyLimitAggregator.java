package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.AnswerHeaders;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.ProxyResponses;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Aggregates a request into one {@code FullHttpRequest} (Mist commands are small, and routing needs
 * the whole command), refusing bodies over {@code limits.max_body_bytes} with mistguard's own 413.
 *
 * <p>After a 413 the connection is closed: the rest of the oversized body may still be on its way and
 * cannot be told apart from a next request. Each refusal (413, and the 417 to an expectation other
 * than {@code 100-continue}) is counted and gets its access-log line here, with {@code total_ms=0}:
 * it is decided as the request's head or body arrives. Sits after {@link StrictRequestDecoder}; one instance per
 * channel.
 */
final class BodyLimitAggregator extends HttpObjectAggregator {

    private final long maxBodyBytes;
    private final ProxyServices services;

    /**
     * @param maxBodyBytes the largest body accepted ({@code limits.max_body_bytes}), ≥ 0
     * @param services where each refusal is counted and logged ({@link ProxyServices#refused})
     */
    BodyLimitAggregator(int maxBodyBytes, ProxyServices services) {
        super(maxBodyBytes, true); // close after refusing an Expect: 100-continue as well
        this.maxBodyBytes = maxBodyBytes;
        this.services = services;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ctx.writeAndFlush(tooLarge(ctx, oversized)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (HttpUtil.is100ContinueExpected(start) && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
            return tooLarge(pipeline.context(this), start);
        }
        Object interim = super.newContinueResponse(start, maxContentLength, pipeline);
        if (interim instanceof FullHttpResponse response
                && response.status().code() == HttpResponseStatus.EXPECTATION_FAILED.code()) {
            // Netty's own bare 417 carried no Mistguard-Decision (found by ProxyFrontEndFuzzTest):
            // mistguard's answer instead, like every refusal.
            response.release();
            return refusal(pipeline.context(this), start, HttpResponseStatus.EXPECTATION_FAILED,
                    Decision.EXPECTATION_FAILED, "only Expect: 100-continue is supported");
        }
        return interim;
    }

    private FullHttpResponse tooLarge(ChannelHandlerContext ctx, HttpMessage head) {
        return refusal(ctx, head, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Decision.BODY_TOO_LARGE,
                "the request body exceeds " + maxBodyBytes + " bytes");
    }

    private FullHttpResponse refusal(ChannelHandlerContext ctx, HttpMessage head, HttpResponseStatus status,
                                     Decision decision, String detail) {
        Answer answer = ProxyResponses.rejection(ctx.alloc(), status, decision, detail);
        AnswerHeaders.write(answer);
        answer.response().headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (ctx.channel().isActive()) { // not once an earlier refusal in the same read closed it: nobody gets this one
            services.refused(head instanceof HttpRequest request ? request : null, answer, 0);
        }
        return answer.response();
    }
}
