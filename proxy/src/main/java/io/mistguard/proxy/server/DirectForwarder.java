package io.mistguard.proxy.server;

import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.upstream.UpstreamCall;
import io.mistguard.proxy.upstream.UpstreamClient;
import io.mistguard.proxy.upstream.UpstreamException;
import io.mistguard.proxy.upstream.UpstreamFailure;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;

/**
 * Forwards every request to Mist in a single attempt bounded by the request timeout; an upstream
 * failure becomes mistguard's own answer ({@link UpstreamFailure#status()}, reason in the decision
 * header). The policy-free baseline every route starts from. Stateless and thread-safe.
 */
public final class DirectForwarder implements Forwarder {

    private final UpstreamClient upstream;
    private final long timeoutNanos;

    public DirectForwarder(UpstreamClient upstream, Duration requestTimeout) {
        this.upstream = upstream;
        this.timeoutNanos = requestTimeout.toNanos();
    }

    @Override
    public Exchange forward(EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request, MistRequest mistRequest) {
        UpstreamCall call = upstream.call(loop, request, timeoutNanos);
        Promise<FullHttpResponse> response = loop.newPromise();
        call.result().addListener((Future<FullHttpResponse> f) -> {
            if (f.isSuccess()) {
                FullHttpResponse answer = f.getNow();
                answer.headers().set(Decisions.HEADER, Decisions.PROXIED);
                response.setSuccess(answer);
                return;
            }
            UpstreamException error = f.cause() instanceof UpstreamException e ? e
                    : new UpstreamException(UpstreamFailure.RESET, String.valueOf(f.cause()));
            UpstreamFailure failure = error.failure();
            response.setSuccess(ProxyResponses.rejection(alloc, failure.status(), failure.reason(), error.detail()));
        });
        return new Exchange() {
            @Override
            public Future<FullHttpResponse> response() {
                return response;
            }

            @Override
            public void cancel() {
                call.cancel();
            }
        };
    }
}
