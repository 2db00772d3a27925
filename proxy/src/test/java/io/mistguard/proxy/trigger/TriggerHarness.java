package io.mistguard.proxy.trigger;

import io.mistguard.proxy.config.TriggersConfig;
import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.policy.UpstreamAttempts;
import io.mistguard.proxy.time.Ticker;
import io.mistguard.proxy.upstream.UpstreamException;
import io.mistguard.proxy.upstream.UpstreamFailure;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The trigger listener's shared parts on fake time: one {@link EmbeddedChannel} event loop whose
 * clock is a Netty {@link MockTicker} moved only by the test (also the breaker's clock), a
 * {@link TriggerService} whose calls to catalyst-api are {@link Call}s the test settles, and a
 * recording observer. The backoff jitter is pinned to 1 (every backoff is its ceiling).
 * Single-threaded.
 */
final class TriggerHarness implements AutoCloseable {

    final MockTicker time = io.netty.util.concurrent.Ticker.newMockTicker();
    final EmbeddedChannel channel = EmbeddedChannel.builder().ticker(time).build();
    final EventLoop loop = channel.eventLoop();
    final List<Call> calls = new ArrayList<>();
    final List<String> answered = new CopyOnWriteArrayList<>();
    final List<String> deliveries = new CopyOnWriteArrayList<>();
    final TriggerService service;

    TriggerHarness(TriggersConfig config) {
        UpstreamAttempts scripted = (loop, request, timeoutNanos, privateConnection, replayable) -> {
            Call call = new Call(loop.newPromise(), request, timeoutNanos);
            calls.add(call);
            return call;
        };
        TriggerObserver observer = new TriggerObserver() {
            @Override
            public void answered(String tag, Decision decision, Decision cause, long nanos) {
                answered.add(tag + " " + decision.token() + (cause == null ? "" : " " + cause.token()));
            }

            @Override
            public void delivery(String tag, DeliveryOutcome outcome) {
                deliveries.add(tag + " " + outcome);
            }
        };
        service = new TriggerService(config, scripted, loop, Ticker.of(time), observer, () -> 1.0);
    }

    /** Mist sends {@code trigger} with {@code payload} lines now. */
    TriggerService.Exchange send(String trigger, String... payload) {
        return sendBytes(trigger, String.join("\n", payload).getBytes(StandardCharsets.UTF_8));
    }

    /** Mist sends {@code trigger} with {@code payload}, byte for byte, now. */
    TriggerService.Exchange sendBytes(String trigger, byte[] payload) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/mist/trigger",
                Unpooled.copiedBuffer(payload));
        request.headers().set("X-Trigger", trigger).set("X-Trigger-UUID", "uuid-" + trigger + "-" + calls.size())
               .set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        TriggerService.Exchange exchange = service.answer(loop, ByteBufAllocator.DEFAULT, request, trigger);
        runPending();
        return exchange;
    }

    /** The answer given, released after its body and headers were read. */
    static Result result(TriggerService.Exchange exchange) {
        if (!exchange.response().isDone()) {
            return null;
        }
        Answer a = exchange.response().getNow();
        try {
            return new Result(a.response().status().code(), a.response().content().toString(StandardCharsets.UTF_8),
                              a.decisionHeader(), a.attempts());
        } finally {
            a.response().release();
        }
    }

    /** An answer as Mist sees it. */
    record Result(int status, String body, String decision, int attempts) {
    }

    Call only() {
        if (calls.size() != 1) {
            throw new AssertionError("calls to catalyst-api: " + calls.size() + " (expected: 1)");
        }
        return calls.get(0);
    }

    Call last() {
        return calls.get(calls.size() - 1);
    }

    /** Moves time by {@code d}, running every timer at its own due time. */
    void advance(Duration d) {
        long left = d.toNanos();
        runPending();
        for (long next = channel.runScheduledPendingTasks(); next >= 0 && next <= left;
             next = channel.runScheduledPendingTasks()) {
            time.advance(next, TimeUnit.NANOSECONDS);
            left -= next;
            runPending();
        }
        time.advance(left, TimeUnit.NANOSECONDS);
        runPending();
    }

    /** Moves the clock without running anything, as a loop busy elsewhere: the next task sees the new time. */
    void step(Duration d) {
        time.advance(d.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** True when no timer is armed on the loop any more (it runs those that are due). */
    boolean noTimersLeft() {
        return channel.runScheduledPendingTasks() == -1;
    }

    void runPending() {
        for (int round = 0; round < 10 && channel.hasPendingTasks(); round++) {
            channel.runPendingTasks();
        }
        channel.runScheduledPendingTasks();
    }

    @Override
    public void close() {
        calls.forEach(Call::releaseRequest);
        channel.finishAndReleaseAll();
    }

    /** One call at catalyst-api, as the test scripts it. */
    static final class Call implements UpstreamAttempts.Attempt {
        final Promise<FullHttpResponse> result;
        final FullHttpRequest request;
        final long timeoutNanos;
        final String body;
        final String uuid;
        int cancels;

        Call(Promise<FullHttpResponse> result, FullHttpRequest request, long timeoutNanos) {
            this.result = result;
            this.request = request;
            this.timeoutNanos = timeoutNanos;
            this.body = request.content().toString(StandardCharsets.UTF_8);
            this.uuid = request.headers().get("X-Trigger-UUID");
        }

        @Override
        public Promise<FullHttpResponse> result() {
            return result;
        }

        @Override
        public void cancel() {
            cancels++;
            result.tryFailure(new UpstreamException(UpstreamFailure.CANCELLED, "closed by mistguard"));
        }

        void answer(int status, String body) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain").set(HttpHeaderNames.CONNECTION, "keep-alive");
            if (!result.trySuccess(r)) {
                r.release();
            }
        }

        void fail(UpstreamFailure failure) {
            result.tryFailure(new UpstreamException(failure, "scripted " + failure.reason()));
        }

        private void releaseRequest() {
            if (request.refCnt() > 0) {
                request.release();
            }
        }
    }

    static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }
}
