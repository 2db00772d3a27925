package io.mistguard.bench;

import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.metrics.Metrics;
import io.mistguard.proxy.policy.Inflight;
import io.mistguard.proxy.route.LiveRoutes;
import io.mistguard.proxy.policy.PolicyHooks;
import io.mistguard.proxy.policy.UpstreamAttempts;
import io.mistguard.proxy.time.Ticker;
import io.netty.buffer.ByteBuf;
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
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The policy decision: {@link LiveRoutes#forward} with the shipped route table, from the
 * request to its answer, with an upstream that answers at once. One call is everything the policy
 * layer does per request — route lookup, retry-budget count, deadline timer scheduled and
 * cancelled, admission slot, breaker permit and verdict, in-flight registry, route counters and
 * (with {@code metrics=true}) the two Micrometer timers — and nothing of Netty's I/O or HTTP codec.
 *
 * <p>It runs on an {@link EmbeddedChannel}'s event loop: the same scheduled-task queue as a real
 * event loop ({@code AbstractScheduledEventExecutor}), run on the benchmark thread, with 64 other
 * timers pending as with 32 keep-alive connections (one idle timer each, plus their requests'
 * deadlines). {@link TimerBench} has the timer alone.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class PolicyBench {

    @Param({"false", "true"})
    public boolean metrics;

    private EmbeddedChannel channel;
    private EventLoop loop;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private LiveRoutes forwarder;
    private Metrics registry;
    private final MistRequest getState = Requests.getState();
    private final MistRequest smallGet = Requests.smallGet();
    private final ByteBuf getStateBody = Unpooled.unreleasableBuffer(
            Unpooled.copiedBuffer(Requests.GETSTATE_FORM, StandardCharsets.ISO_8859_1));
    private final ByteBuf replyBody = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(
            "{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"},\"ok\":1}\n\n", StandardCharsets.ISO_8859_1));
    private final List<ScheduledFuture<?>> pending = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() {
        channel = new EmbeddedChannel();
        loop = channel.eventLoop();
        PolicyConfig config = ShippedConfig.policy();
        PolicyHooks hooks;
        if (metrics) {
            registry = new Metrics();
            hooks = new PolicyHooks(new Inflight(), registry::observer);
        } else {
            hooks = PolicyHooks.none();
        }
        forwarder = new LiveRoutes(config, immediateUpstream(), Ticker.system(), hooks, null);
        for (int i = 0; i < 64; i++) {
            pending.add(loop.schedule(() -> { }, 60 + i, TimeUnit.SECONDS));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pending.forEach(f -> f.cancel(false));
        channel.finishAndReleaseAll();
        if (registry != null) {
            registry.close();
        }
    }

    /** An upstream that answers every attempt at once with a small 200. */
    private UpstreamAttempts immediateUpstream() {
        return (eventLoop, request, timeoutNanos, privateConnection) -> {
            request.release();
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                                                    replyBody.duplicate());
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/javascript")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, replyBody.readableBytes());
            Promise<FullHttpResponse> result = eventLoop.newPromise();
            result.setSuccess(response);
            return new UpstreamAttempts.Attempt() {
                @Override
                public Future<FullHttpResponse> result() {
                    return result;
                }

                @Override
                public void cancel() {
                }
            };
        };
    }

    private int answer(FullHttpRequest request, MistRequest mistRequest) {
        Forwarder.Exchange exchange = forwarder.forward(loop, alloc, request, mistRequest, null);
        FullHttpResponse response = exchange.response().getNow().response();
        int status = response.status().code();
        response.release();
        channel.runPendingTasks(); // whatever the exchange handed to the loop (nothing, normally)
        return status;
    }

    /** The catch-all route (passthrough kind): GET, no command. */
    @Benchmark
    public int catchAll() {
        return answer(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/small"), smallGet);
    }

    /** The get-state route (read kind, coalesce off: still through the read cache's store). */
    @Benchmark
    public int getState() {
        return answer(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api2",
                                                 getStateBody.duplicate()), getState);
    }

}
