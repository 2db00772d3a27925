package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.exchange.ProxyResponses;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.upstream.PrivateConnection;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A {@link Forwarder} whose answers the test gives by hand; remembers what it was asked. */
final class FakeForwarder implements Forwarder {

    /** What the forwarder saw of one request (the request itself is released at once). */
    record Seen(String method, String uri, String headers, String body, MistRequest mistRequest,
                PrivateConnection privateConnection, java.util.Set<String> headerNames) {
    }

    final List<Seen> seen = new ArrayList<>();
    final List<Promise<Answer>> pending = new ArrayList<>();
    int cancelled;
    /** Answer each request within {@link #forward} itself, as a stored reply is. */
    boolean answerAtOnce;

    @Override
    public Exchange forward(EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request, MistRequest mistRequest,
                            PrivateConnection privateConnection) {
        seen.add(new Seen(request.method().name(), request.uri(), request.headers().toString(),
                request.content().toString(StandardCharsets.UTF_8), mistRequest, privateConnection,
                request.headers().names().stream().map(n -> n.toLowerCase(java.util.Locale.ROOT))
                        .collect(java.util.stream.Collectors.toSet())));
        request.release();
        Promise<Answer> promise = loop.newPromise();
        pending.add(promise);
        if (answerAtOnce) {
            answer(pending.size() - 1, "{}");
        }
        return new Exchange() {
            @Override
            public Future<Answer> response() {
                return promise;
            }

            @Override
            public void cancel() {
                cancelled++;
                promise.trySuccess(ProxyResponses.rejection(alloc, HttpResponseStatus.SERVICE_UNAVAILABLE,
                        Decision.CANCELLED, null));
            }
        };
    }

    /** Answers the n-th forwarded request as mistguard itself would refuse it: a 503 with a body. */
    void reject(int n) {
        pending.get(n).setSuccess(ProxyResponses.rejection(ByteBufAllocator.DEFAULT,
                HttpResponseStatus.SERVICE_UNAVAILABLE, Decision.BREAKER_OPEN, null));
    }

    /** Answers the n-th forwarded request with the given status and body (Mist's own answer). */
    void answer(int n, HttpResponseStatus status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set("Content-Type", "text/javascript").set("Content-Length", body.length());
        pending.get(n).setSuccess(Answer.of(response, Decision.PROXIED));
    }

    /** Answers the n-th forwarded request with {@code response} as Mist's, as it is. */
    void answer(int n, FullHttpResponse response) {
        pending.get(n).setSuccess(Answer.of(response, Decision.PROXIED));
    }

    /** Answers the n-th forwarded request with a 200 and the given body. */
    void answer(int n, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set("Content-Type", "text/javascript").set("Connection", "keep-alive, X-Hop")
                .set("X-Hop", "must not pass").set("Transfer-Encoding", "chunked");
        pending.get(n).setSuccess(Answer.of(response, Decision.PROXIED));
    }
}
