package io.mistguard.proxy.trigger;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.AnswerContent;
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
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Aggregates a trigger request from Mist into one {@code FullHttpRequest}, refusing a body over
 * {@code triggers.max_request_bytes} with mistguard's own {@code 413}, which says so in
 * {@code Mistguard-Decision} ({@code rejected; reason=body-too-large}) and in the access log, like
 * every other answer of the listener.
 *
 * <p>After a 413 the connection is closed, whether or not the request asked for keep-alive: the rest
 * of the oversized body may still be on its way and cannot be told apart from a next request. An
 * {@code Expect: 100-continue} with a too large {@code Content-Length} gets the same 413 at once.
 * Sits after the codec; one instance per connection, on its event loop.
 */
final class TriggerBodyLimit extends HttpObjectAggregator {

    private final long maxBodyBytes;
    private final TriggerService service;
    private final boolean accessLog;

    TriggerBodyLimit(int maxBodyBytes, TriggerService service, boolean accessLog) {
        super(maxBodyBytes, true); // close after refusing an Expect: 100-continue as well
        this.maxBodyBytes = maxBodyBytes;
        this.service = service;
        this.accessLog = accessLog;
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
        return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    private FullHttpResponse tooLarge(ChannelHandlerContext ctx, HttpMessage head) {
        String tag = service.tag(head.headers().get(TriggerHandler.X_TRIGGER));
        Answer answer = ProxyResponses.rejection(ctx.alloc(), HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                Decision.BODY_TOO_LARGE, "the trigger body exceeds " + maxBodyBytes + " bytes").onRoute(tag);
        AnswerHeaders.write(answer);
        FullHttpResponse response = answer.response();
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        service.observer().answered(tag, Decision.BODY_TOO_LARGE, null, 0);
        if (accessLog && head instanceof HttpRequest request) {
            TriggerAccessLog.log(tag, Decision.BODY_TOO_LARGE, null, response.status().code(),
                                 AnswerContent.bytesSent(response, HttpMethod.HEAD.equals(request.method())), 0, 0, 0, request.method().name(), request.uri());
        }
        return response;
    }
}
