package io.mistguard.proxy.trigger;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.AnswerHeaders;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.ProxyResponses;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;

/**
 * Last handler of a trigger connection's pipeline ({@code codec → aggregator → idle → trigger}): hands
 * each complete request from Mist to the {@link TriggerService} and writes its answer, with the
 * {@code Mistguard-*} fields, once — this listener's edge, as {@code server/} is the API port's.
 *
 * <p>Requests are answered one at a time and in order; one that arrives while another is being
 * answered waits its turn. When Mist closes the connection (its own 5 s attempt ran out), the trigger
 * being answered is cancelled: its call to catalyst-api closed, its slot and permit freed. A
 * malformed request gets 400 and the connection is closed.
 *
 * <p>One instance per connection; runs on that connection's event loop only, so fields need no
 * synchronisation.
 */
final class TriggerHandler extends ChannelInboundHandlerAdapter {

    /** The trigger name header Mist sends (mist-api.md §5). */
    static final String X_TRIGGER = "X-Trigger";

    private final TriggerService service;
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
    private TriggerService.Exchange current;

    TriggerHandler(TriggerService service) {
        this.service = service;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (current != null) {
            waiting.add(request);
            return;
        }
        handle(ctx, request);
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            request.release();
            Answer refused = ProxyResponses.rejection(ctx.alloc(), HttpResponseStatus.BAD_REQUEST,
                                                      Decision.BAD_REQUEST, "malformed trigger request");
            write(ctx, refused, false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String trigger = request.headers().get(X_TRIGGER);
        TriggerAnswers.stripHopByHop(request.headers());
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        TriggerService.Exchange exchange = service.answer(ctx.channel().eventLoop(), ctx.alloc(), request, trigger);
        current = exchange;
        exchange.response().addListener((Future<Answer> f) -> {
            if (current == exchange) {
                current = null;
            }
            write(ctx, f.getNow(), keepAlive);
        });
    }

    private void write(ChannelHandlerContext ctx, Answer answer, boolean keepAlive) {
        FullHttpResponse response = answer.response();
        if (!ctx.channel().isActive()) {
            response.release();
            return;
        }
        AnswerHeaders.write(answer);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (!keepAlive) {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.writeAndFlush(response);
        FullHttpRequest next = waiting.poll();
        if (next != null) {
            handle(ctx, next);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        TriggerService.Exchange gone = current;
        current = null;
        if (gone != null) {
            gone.cancel().run();
        }
        waiting.forEach(FullHttpRequest::release);
        waiting.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (current == null) {
                ctx.close(); // an idle keep-alive connection from Mist
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset from Mist; channelInactive frees what the connection held
    }
}
