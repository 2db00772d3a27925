package io.mistguard.proxy.cache;

import io.mistguard.proxy.MistCommands;
import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.exchange.ProxyResponses;
import io.mistguard.proxy.time.Ticker;
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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * One {@code read} route of a real {@link ReadCache} on fake time, for the cache's unit tests: the
 * route comes from YAML, callers arrive on {@link EmbeddedChannel} event loops that all run on one
 * Netty {@link MockTicker}, also the cache's clock, and the calls to Mist
 * are {@link FakeCall}s the test answers, fails, or sees cancelled. Single-threaded.
 */
final class ReadRouteHarness implements AutoCloseable {

    /** A valid Mist reply (it carries {@code authorize.status OK}) tagged so tests can tell replies apart. */
    static String mistReply(String tag) {
        return "{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"},\"tag\":\"" + tag + "\"}\n\n";
    }

    private final MockTicker time = io.netty.util.concurrent.Ticker.newMockTicker();
    /** The one clock: every loop's and the cache's. */
    final Ticker clock = Ticker.of(time);
    final List<EmbeddedChannel> loops = new ArrayList<>();
    final List<FakeCall> calls = new ArrayList<>();
    final List<String> observed = new ArrayList<>();
    final ReadCache cache;
    final ReadRoute route;
    final RouteConfig config;

    /** {@code route} is the YAML of one route (a list item without the leading dash's indentation). */
    ReadRouteHarness(String routeYaml) throws Exception {
        PolicyConfig policy = ConfigLoader.parse("routes:\n  - " + routeYaml.strip().replace("\n", "\n    ")
                                                 + "\n  - {name: catch-all, match: {}, kind: passthrough}\n",
                                                 "harness.yaml").policy();
        config = policy.routes().get(0);
        cache = new ReadCache(policy.cache(), clock);
        route = cache.route(config, (decision, waitedNanos, staleAge) -> observed.add(decision.token()));
        if (route == null) {
            throw new IllegalArgumentException("route " + config.name() + " does not use the cache");
        }
        loop(); // loop 0 is where callers arrive unless a test says otherwise
    }

    /** A new event loop for callers (its own EmbeddedChannel, on the one clock). */
    int loop() {
        EmbeddedChannel channel = EmbeddedChannel.builder().ticker(time).build();
        loops.add(channel);
        return loops.size() - 1;
    }

    /** A GetState caller on loop 0 with the route's whole budget. */
    Forwarder.Exchange getState() {
        return getState(0, config.timeout());
    }

    /** A GetState caller on {@code loop} whose deadline is {@code budget} from now. */
    Forwarder.Exchange getState(int loop, Duration budget) {
        String form = "command=" + URLEncoder.encode(MistCommands.GET_STATE, StandardCharsets.UTF_8);
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/",
                Unpooled.copiedBuffer(form, StandardCharsets.UTF_8));
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded");
        MistRequest mist = new CommandClassifier().classify("POST", "/", "application/x-www-form-urlencoded",
                                                            request.content());
        EventLoop eventLoop = loops.get(loop).eventLoop();
        Forwarder.Exchange exchange = route.forward(eventLoop, ByteBufAllocator.DEFAULT, request, mist,
                budget.toNanos(), (l, alloc, r, arrived, callBudget, wanted) -> {
                    FakeCall call = new FakeCall(l, arrived, callBudget, wanted, l.newPromise());
                    r.release(); // the exchange owns the request
                    calls.add(call);
                    return call;
                });
        if (exchange == null) {
            request.release();
            throw new AssertionError("GetState was not answered through the cache");
        }
        return exchange;
    }

    /** Moves the one clock by {@code duration}, then runs what fell due on every loop. */
    void advance(Duration duration) {
        time.advance(duration.toNanos(), TimeUnit.NANOSECONDS);
        for (EmbeddedChannel channel : loops) {
            channel.runScheduledPendingTasks();
        }
        runPending();
    }

    /** Moves the one clock without running anything: a loop busy past what fell due meanwhile. */
    void step(Duration duration) {
        time.advance(duration.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** True when no timer is armed on any loop any more (it runs those that are due). */
    boolean noTimersLeft() {
        boolean none = true;
        for (EmbeddedChannel channel : loops) {
            none &= channel.runScheduledPendingTasks() == -1;
        }
        return none;
    }

    /** Runs the tasks waiting on every loop (cross-loop hops, cancellations). */
    void runPending() {
        for (int round = 0; round < 3; round++) { // a task on one loop may hand work to another
            for (EmbeddedChannel channel : loops) {
                channel.runPendingTasks();
            }
        }
    }

    /** The only call to Mist started so far, failing the test if there is not exactly one. */
    FakeCall onlyCall() {
        if (calls.size() != 1) {
            throw new AssertionError("calls to Mist: " + calls.size() + " (expected: 1)");
        }
        return calls.get(0);
    }

    FakeCall lastCall() {
        return calls.get(calls.size() - 1);
    }

    /** True when every loop shut down without anything left over (no message, no leak). */
    boolean finishedClean() {
        boolean leftOver = false;
        for (EmbeddedChannel channel : loops) {
            leftOver |= channel.finishAndReleaseAll();
        }
        return !leftOver;
    }

    @Override
    public void close() {
        for (EmbeddedChannel channel : loops) {
            channel.finishAndReleaseAll();
        }
    }

    /** The {@code Mistguard-Decision} the edge would write for a settled exchange's answer; releases it. */
    static String decision(Forwarder.Exchange exchange) {
        return answer(exchange).decision();
    }

    /** A settled exchange's answer, copied out and released. */
    static Answer answer(Forwarder.Exchange exchange) {
        if (!exchange.response().isDone()) {
            throw new AssertionError("the caller has not been answered");
        }
        io.mistguard.proxy.exchange.Answer answer = exchange.response().getNow();
        FullHttpResponse response = answer.response();
        try {
            return new Answer(response.status().code(), answer.decisionHeader(),
                              response.content().toString(StandardCharsets.UTF_8),
                              response.headers().get(HttpHeaderNames.AGE),
                              response.headers().get(CachedAnswers.CACHE_STATUS), answer.route(),
                              answer.upstreamNanos(), answer.attempts());
        } finally {
            response.release();
        }
    }

    /** What a caller got, detached from Netty. */
    record Answer(int status, String decision, String body, String age, String cacheStatus, String route,
                  long upstreamNanos, int attempts) {}

    /** One fake call to Mist: the test settles it; {@link #cancel()} records that mistguard gave up on it. */
    static final class FakeCall implements Forwarder.Exchange {
        final EventLoop loop;
        final long arrived;
        /** The budget the cache gave the call, from {@link #arrived}. */
        final long budget;
        /** What the policy layer asks before each attempt (SharedOrigin's {@code wanted}). */
        final LongPredicate wanted;
        private final Promise<io.mistguard.proxy.exchange.Answer> response;
        int cancels;
        /** What the policy engine would report as its time at Mist. */
        long upstreamNanos;
        /** What the policy engine would report as the attempts started so far ({@link #attemptsStarted()}). */
        int attemptsStarted = 1;

        FakeCall(EventLoop loop, long arrived, long budget, LongPredicate wanted,
                 Promise<io.mistguard.proxy.exchange.Answer> response) {
            this.loop = loop;
            this.arrived = arrived;
            this.budget = budget;
            this.wanted = wanted;
            this.response = response;
        }

        @Override
        public Promise<io.mistguard.proxy.exchange.Answer> response() {
            return response;
        }

        /** Mist answers 200 with {@link #mistReply(String) a valid reply}. */
        void reply(String tag) {
            FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(mistReply(tag), StandardCharsets.UTF_8));
            answer.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/javascript");
            settle(io.mistguard.proxy.exchange.Answer.of(answer, Decision.PROXIED));
        }

        /** The policy layer gives up on Mist: its own 504 timeout rejection. */
        void timeOut() {
            settle(ProxyResponses.rejection(ByteBufAllocator.DEFAULT, UpstreamFailure.TIMEOUT.status(),
                                            Decision.TIMEOUT, null));
        }

        @Override
        public int attemptsStarted() {
            return attemptsStarted;
        }

        /** As the policy engine: its time at Mist, the attempt in flight since the call's arrival. */
        @Override
        public long upstreamNanosSoFar(long now) {
            return now - arrived;
        }

        boolean cancelled() {
            return cancels > 0;
        }

        @Override
        public void cancel() {
            cancels++;
            if (!response.isDone()) { // as the policy layer does: the caller-gone rejection
                settle(ProxyResponses.rejection(ByteBufAllocator.DEFAULT, UpstreamFailure.CANCELLED.status(),
                                                Decision.CANCELLED, null));
            }
        }

        private void settle(io.mistguard.proxy.exchange.Answer answer) {
            if (!response.trySuccess(answer.withAttempts(1, upstreamNanos))) {
                answer.response().release();
                throw new AssertionError("call settled twice");
            }
        }
    }
}
