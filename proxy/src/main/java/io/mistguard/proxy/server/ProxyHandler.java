package io.mistguard.proxy.server;

import io.mistguard.proxy.classify.MistRequest;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client connection: validates each aggregated request, classifies it, hands
 * it to the {@link Forwarder} and writes the answer back.
 *
 * <p>One request is handled at a time per connection: the channel does not auto-read, and the next
 * request is read only after the previous response was written (a {@code FlowControlHandler} in
 * front holds any request a client pipelined meanwhile). That keeps responses in order and gives
 * natural back-pressure. Invalid requests get a precise 400 / 414 / 431 and the connection is closed,
 * since its framing can no longer be trusted. One instance per channel, used only from its event loop.
 */
final class ProxyHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ProxyHandler.class);

    private final ProxyServices services;
    private Forwarder.Exchange exchange;
    private boolean awaitingRequest;
    private boolean keepAlive;
    private boolean headRequest;
    private boolean draining;
    private HttpMethod method;
    private String path;
    private long arrivedNanos;

    ProxyHandler(ProxyServices services) {
        this.services = services;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        services.channels().add(ctx.channel());
        readNextRequest(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        awaitingRequest = false;
        if (exchange != null) {
            // Cannot happen with the flow control in front; never answer out of order if it does.
            request.release();
            ctx.close();
            return;
        }
        InvalidRequest invalid = InvalidRequest.of(request);
        if (invalid != null) {
            request.release();
            keepAlive = false; // the framing of whatever follows cannot be trusted
            headRequest = false;
            write(ctx, ProxyResponses.rejection(ctx.alloc(), invalid.status(), invalid.reason(), invalid.detail()),
                    HttpVersion.HTTP_1_1);
            return;
        }
        keepAlive = HttpUtil.isKeepAlive(request) && !draining;
        headRequest = request.method().equals(HttpMethod.HEAD);
        forward(ctx, request);
    }

    private void forward(ChannelHandlerContext ctx, FullHttpRequest request) {
        MistRequest mistRequest = services.classifier().classify(request.method().name(), request.uri(),
                request.headers().get(HttpHeaderNames.CONTENT_TYPE), request.content());
        HttpVersion clientVersion = request.protocolVersion();
        method = request.method();
        path = pathOf(request.uri());
        arrivedNanos = System.nanoTime();
        FullHttpRequest upstream = MessageFraming.towardsMist(request);
        services.inFlight().incrementAndGet();
        exchange = services.forwarder().forward(ctx.channel().eventLoop(), ctx.alloc(), upstream, mistRequest);
        exchange.response().addListener((Future<FullHttpResponse> f) -> onAnswer(ctx, f.getNow(), clientVersion));
    }

    private void onAnswer(ChannelHandlerContext ctx, FullHttpResponse response, HttpVersion clientVersion) {
        long upstreamNanos = exchange.upstreamNanos();
        exchange = null;
        if (services.accessLog()) {
            AccessLog.log(method, path, response, System.nanoTime() - arrivedNanos, upstreamNanos);
        }
        services.inFlight().decrementAndGet();
        if (!ctx.channel().isActive()) {
            response.release();
            return;
        }
        write(ctx, response, clientVersion);
    }

    private void write(ChannelHandlerContext ctx, FullHttpResponse response, HttpVersion clientVersion) {
        MessageFraming.towardsCaller(response, headRequest);
        boolean stayOpen = keepAlive && !draining;
        if (!stayOpen) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientVersion.equals(HttpVersion.HTTP_1_0)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ChannelFuture written = ctx.writeAndFlush(response);
        if (stayOpen) {
            written.addListener((ChannelFuture f) -> {
                if (f.isSuccess()) {
                    readNextRequest(ctx);
                } else {
                    ctx.close();
                }
            });
        } else {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The path without query string: bounded, and free of stream names and tokens. */
    private static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    private void readNextRequest(ChannelHandlerContext ctx) {
        awaitingRequest = true;
        ctx.read();
    }

    /**
     * A read cycle may end without a whole request (its body is still on the way, so the aggregator
     * holds it back); Netty's contract is then to ask again, or the connection would stall.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (awaitingRequest) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Forwarder.Exchange current = exchange;
        if (current != null) {
            current.cancel(); // the caller left: free the upstream connection and whatever it holds
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && exchange == null) {
            ctx.close();
        } else if (evt == DrainEvent.INSTANCE) {
            draining = true;
            if (exchange == null) {
                ctx.close();
            }
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("[{}] closing client connection: {}", ctx.channel().id(), cause.toString());
        ctx.close();
    }
}
