package io.mistguard.proxy.policy;

import io.mistguard.proxy.config.AdmissionConfig;
import io.mistguard.proxy.config.BreakerConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.time.Ticker;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.MockTicker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongPredicate;

/**
 * {@link PolicyExchange}s on fake time, for the policy engine's unit tests: callers arrive on one
 * {@link EmbeddedChannel} event loop whose clock is a Netty {@link MockTicker} — the one clock, also
 * read by the breakers, retry budgets and scripted attempts — moved only by the test; upstream
 * attempts are {@link ScriptedAttempts} the test settles, and the backoff jitter is a seeded
 * generator. Routes are assembled from config records as {@code PolicyRegistry} does. Single-threaded.
 */
public final class PolicyHarness implements AutoCloseable {

    /** The seed of the backoff jitter; a test predicts a backoff with {@link #jitterSamples()}. */
    static final long SEED = 20261130L;

    private final MockTicker time = io.netty.util.concurrent.Ticker.newMockTicker();
    /** The loop's clock, as the breakers and retry budgets read it. */
    public final Ticker clock = Ticker.of(time);
    public final EmbeddedChannel channel = EmbeddedChannel.builder().ticker(time).build();
    public final EventLoop loop = channel.eventLoop();
    public final ScriptedAttempts upstream = new ScriptedAttempts(clock);
    public final Inflight inflight = new Inflight();
    final RecordingObserver observer = new RecordingObserver();
    private final Map<String, Breaker> breakers = new HashMap<>();
    private final Map<String, Admission> admissions = new HashMap<>();
    /** Where the harness's time started, on {@link #clock}. */
    private final long start = clock.nanoTime();
    private DoubleSupplier jitter = new Random(SEED)::nextDouble;
    /** The jitter samples the engine drew, in order. */
    final List<Double> drawn = new ArrayList<>();
    /** Every request handed to an exchange, which owns and must release it. */
    private final List<FullHttpRequest> requests = new ArrayList<>();

    /** Backoffs jittered by a generator seeded with {@link #SEED} unless {@link #pinJitter pinned}. */
    public PolicyHarness() {
    }

    /** Every later backoff is {@code sample} of its ceiling (0.5: exactly half). */
    void pinJitter(double sample) {
        jitter = () -> sample;
    }

    /** The first {@code n} samples the seeded jitter gives, for predicting backoffs. */
    static double[] jitterSamples(int n) {
        Random random = new Random(SEED);
        double[] samples = new double[n];
        for (int i = 0; i < n; i++) {
            samples[i] = random.nextDouble();
        }
        return samples;
    }

    Breaker breaker(String name, BreakerConfig config) {
        Breaker breaker = new Breaker(name, config, clock);
        breakers.put(name, breaker);
        return breaker;
    }

    Admission admission(String name, AdmissionConfig config) {
        Admission admission = new Admission(name, config);
        admissions.put(name, admission);
        return admission;
    }

    /** Records failures until {@code breaker} opens, as Mist failing would. */
    public static void open(Breaker breaker) {
        for (int i = 0; i < 20 && !breaker.snapshot().state().equals("open"); i++) {
            breaker.tryAcquire().failure();
        }
        if (!breaker.snapshot().state().equals("open")) {
            throw new AssertionError("breaker " + breaker.name() + " did not open");
        }
    }

    /** A route ready to serve, with the breaker and pool it names (registered beforehand). */
    RoutePolicy policy(RouteConfig config) {
        Breaker breaker = config.breaker() == null ? null : required(breakers, config.breaker(), "breaker");
        Admission admission = config.admission() == null ? null : required(admissions, config.admission(), "admission");
        return new RoutePolicy(config, breaker, admission, new RetryBudget(config.retry(), clock),
                               new RouteStats(config.name()), observer);
    }

    private static <T> T required(Map<String, T> named, String name, String what) {
        T found = named.get(name);
        if (found == null) {
            throw new IllegalArgumentException(what + " " + name + " is not registered in the harness");
        }
        return found;
    }

    /** A caller of {@code route} with the route's whole budget, started now. */
    PolicyExchange call(RoutePolicy route) {
        return started(new PolicyExchange(route, upstream, inflight, loop, ByteBufAllocator.DEFAULT,
                                          tracked(request(null)), null, recordingJitter()));
    }

    /** A caller of {@code route} that sends {@code Mistguard-Timeout-Ms: millis}. */
    PolicyExchange callWithDeadline(RoutePolicy route, long millis) {
        return started(new PolicyExchange(route, upstream, inflight, loop, ByteBufAllocator.DEFAULT,
                                          tracked(request(millis)), null, recordingJitter()));
    }

    /** A call shared by several callers (cache/): its budget counts from {@code arrived}. */
    PolicyExchange sharedCall(RoutePolicy route, long arrived, long budgetNanos, long routeBudgetNanos) {
        return sharedCall(route, arrived, budgetNanos, routeBudgetNanos, null);
    }

    /** The same, asking {@code wanted} before each attempt as the cache's shared call does. */
    PolicyExchange sharedCall(RoutePolicy route, long arrived, long budgetNanos, long routeBudgetNanos,
                              LongPredicate wanted) {
        return started(new PolicyExchange(route, upstream, inflight, loop, ByteBufAllocator.DEFAULT,
                                          tracked(request(null)), null, arrived, budgetNanos, routeBudgetNanos,
                                          recordingJitter(), false, wanted));
    }

    /** {@code request}, remembered so that {@link #finishedClean()} checks it was released. */
    public FullHttpRequest tracked(FullHttpRequest request) {
        requests.add(request);
        return request;
    }

    private DoubleSupplier recordingJitter() {
        return () -> {
            double sample = jitter.getAsDouble();
            drawn.add(sample);
            return sample;
        };
    }

    private static PolicyExchange started(PolicyExchange exchange) {
        exchange.start();
        return exchange;
    }

    /** A form-encoded GetState request, with {@code Mistguard-Timeout-Ms} when {@code deadlineMillis} is set. */
    static FullHttpRequest request(Long deadlineMillis) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api",
                Unpooled.copiedBuffer("command=%7B%22active_streams%22%3Atrue%7D", StandardCharsets.UTF_8));
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded");
        if (deadlineMillis != null) {
            request.headers().set(CallerDeadline.HEADER, deadlineMillis);
        }
        return request;
    }

    /**
     * Moves time by {@code duration}, stopping at each timer on the way so that every task runs at
     * its own due time.
     */
    public void advance(Duration duration) {
        long left = duration.toNanos();
        runPending();
        for (long next = channel.runScheduledPendingTasks(); next >= 0 && next <= left;
             next = channel.runScheduledPendingTasks()) {
            step(next);
            left -= next;
            runPending();
        }
        step(left);
        runPending();
    }

    public void advanceMillis(long millis) {
        advance(Duration.ofMillis(millis));
    }

    /** Moves the clock without running anything: the next task run sees the new time. */
    public void step(long nanos) {
        time.advance(nanos, TimeUnit.NANOSECONDS);
    }

    /** Runs the loop's queued tasks (a grant hopping back, for one) and the timers that are due. */
    public void runPending() {
        for (int round = 0; round < 10 && channel.hasPendingTasks(); round++) {
            channel.runPendingTasks();
        }
    }

    /** Nanoseconds since the harness started. */
    long elapsed() {
        return clock.nanoTime() - start;
    }

    /** True when no timer is left on the loop: every deadline, queue and backoff timer was cancelled or ran. */
    public boolean noTimersLeft() {
        return channel.runScheduledPendingTasks() == -1;
    }

    /**
     * True when the loop shut down with nothing left over, every request was released by its exchange
     * and every answer of Mist by whoever got it (the test reads each caller's answer with
     * {@link #answer}, which releases it).
     */
    public boolean finishedClean() {
        boolean released = requests.stream().allMatch(r -> r.refCnt() == 0)
                && upstream.answers.stream().allMatch(r -> r.refCnt() == 0);
        return !channel.finishAndReleaseAll() && released;
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }

    /** A settled exchange's answer, copied out and released. */
    public static Answer answer(io.mistguard.proxy.exchange.Forwarder.Exchange exchange) {
        if (!exchange.response().isDone()) {
            throw new AssertionError("the caller has not been answered");
        }
        io.mistguard.proxy.exchange.Answer answer = exchange.response().getNow();
        FullHttpResponse response = answer.response();
        try {
            return new Answer(response.status().code(), answer.decision(), answer.route(), answer.attempts(),
                              response.headers().get(HttpHeaderNames.RETRY_AFTER),
                              response.content().toString(StandardCharsets.UTF_8), answer.upstreamNanos());
        } finally {
            response.release();
        }
    }

    /** What a caller got, detached from Netty. */
    public record Answer(int status, Decision reason, String route, int attempts, String retryAfter, String body,
                  long upstreamNanos) {
    }

    /** Records what a route reports to metrics. */
    static final class RecordingObserver implements RouteObserver {
        final List<Long> answered = new ArrayList<>();
        final List<Long> attempted = new ArrayList<>();

        @Override
        public void answered(long totalNanos) {
            answered.add(totalNanos);
        }

        @Override
        public void attempted(long upstreamNanos) {
            attempted.add(upstreamNanos);
        }

        @Override
        public void servedStale(Duration age) {
            throw new AssertionError("the policy engine serves nothing stale itself");
        }
    }
}
