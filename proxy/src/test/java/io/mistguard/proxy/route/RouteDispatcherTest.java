package io.mistguard.proxy.route;

import static io.mistguard.proxy.policy.PolicyHarness.answer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.config.AdmissionConfig;
import io.mistguard.proxy.config.BreakerConfig;
import io.mistguard.proxy.config.CacheConfig;
import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.ReadCaching;
import io.mistguard.proxy.config.RejectionConfig;
import io.mistguard.proxy.config.RetryConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.config.RouteKind;
import io.mistguard.proxy.config.RouteMatch;
import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.exchange.QueueHandoff;
import io.mistguard.proxy.invalidation.http.InvalidationForwarder;
import io.mistguard.proxy.invalidation.OfferOutcome;
import io.mistguard.proxy.policy.AdmissionSnapshot;
import io.mistguard.proxy.policy.Breaker;
import io.mistguard.proxy.policy.BreakerSnapshot;
import io.mistguard.proxy.policy.PolicyHarness;
import io.mistguard.proxy.policy.PolicyHooks;
import io.mistguard.proxy.policy.PolicyRegistry;
import io.mistguard.proxy.policy.RouteObserver;
import io.mistguard.proxy.policy.RouteStatsSnapshot;
import io.mistguard.proxy.upstream.PrivateConnection;
import io.mistguard.proxy.upstream.UpstreamFailure;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The route table around the exchanges: which path a request takes by route kind (queue, cache, its
 * own call), how answers given without a call of the caller's own are counted, what a reload carries
 * over (breakers, pools, counters, retry budgets, the cache) and what it starts afresh, and the
 * read-only views. On fake time with scripted attempts ({@link PolicyHarness}).
 */
class RouteDispatcherTest {

    private static final String MIST = "mist";
    private static final Duration BUDGET = Duration.ofSeconds(4);
    /** One retry per window whatever the traffic, so a spent budget shows. */
    private static final RetryConfig ONE_RETRY = new RetryConfig(2, Duration.ofMillis(50), Duration.ofMillis(500),
                                                                 0.0, 1, Duration.ofSeconds(10));
    private static final BreakerConfig BREAKER = BreakerConfig.countWindow(50, 4, Duration.ofSeconds(2), 1);
    private static final AdmissionConfig POOL = new AdmissionConfig(4, 10, Duration.ofSeconds(1));

    private final PolicyHarness h = new PolicyHarness();
    private final List<Duration> servedStale = new ArrayList<>();
    private final List<String> queued = new ArrayList<>();
    /** The real handoff in front of a queue that takes every name. */
    private final QueueHandoff queue = new InvalidationForwarder(name -> {
        queued.add(name);
        return OfferOutcome.QUEUED;
    });
    private final PolicyHooks hooks = new PolicyHooks(h.inflight, route -> new RouteObserver() {
        @Override
        public void answered(long totalNanos) {
        }

        @Override
        public void attempted(long upstreamNanos) {
        }

        @Override
        public void servedStale(Duration age) {
            servedStale.add(age);
        }
    }, () -> 0.5);

    @AfterEach
    void nothingLeftOver() {
        assertThat(h.finishedClean()).isTrue();
    }

    private static RouteConfig read(RetryConfig retry, ReadCaching caching) {
        return new RouteConfig("get-state", RouteMatch.commands("active_streams"), RouteKind.READ, BUDGET,
                               Duration.ofSeconds(2), retry, MIST, MIST, RejectionConfig.DEFAULTS, null, caching);
    }

    private static RouteConfig invalidate(String breaker) {
        return new RouteConfig("invalidate-sessions", RouteMatch.commands("invalidate_sessions"), RouteKind.QUEUED,
                               BUDGET, BUDGET, RetryConfig.NONE, breaker, null, RejectionConfig.DEFAULTS, null,
                               ReadCaching.NONE);
    }

    private static RouteConfig catchAll(String name) {
        return new RouteConfig(name, RouteMatch.ANY, RouteKind.PASSTHROUGH, BUDGET, BUDGET, ONE_RETRY, null, null,
                               RejectionConfig.DEFAULTS, null, ReadCaching.NONE);
    }

    private static PolicyConfig config(RouteConfig... routes) {
        return new PolicyConfig(List.of(routes), Map.of(MIST, BREAKER), Map.of(MIST, POOL));
    }

    /** The shipped shape: a cached GetState, the invalidation queue, a catch-all. */
    private static PolicyConfig shipped() {
        return config(read(ONE_RETRY, new ReadCaching(Duration.ofSeconds(10), Duration.ZERO, Duration.ZERO, true)),
                      invalidate(MIST), catchAll("catch-all"));
    }

    private RouteDispatcher forwarder(PolicyConfig config, RouteDispatcher previous) {
        return forwarder(config, previous, queue);
    }

    private RouteDispatcher forwarder(PolicyConfig config, RouteDispatcher previous, QueueHandoff handoff) {
        PolicyRegistry policies = new PolicyRegistry(config, h.upstream, h.clock, hooks,
                                                     previous == null ? null : previous.policies());
        return new RouteDispatcher(config, policies, handoff, h.clock, previous);
    }

    private Forwarder.Exchange send(Forwarder forwarder, String command, PrivateConnection privateConnection) {
        return send(forwarder, command, privateConnection, null);
    }

    /** The same with {@code Mistguard-Timeout-Ms: timeoutMs}, the caller's own deadline, unless null. */
    private Forwarder.Exchange send(Forwarder forwarder, String command, PrivateConnection privateConnection,
                                    Long timeoutMs) {
        String form = "command=" + URLEncoder.encode(command, StandardCharsets.UTF_8);
        FullHttpRequest request = h.tracked(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api",
                Unpooled.copiedBuffer(form, StandardCharsets.UTF_8)));
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded");
        if (timeoutMs != null) {
            request.headers().set("Mistguard-Timeout-Ms", timeoutMs);
        }
        MistRequest mist = new CommandClassifier().classify("POST", "/api", "application/x-www-form-urlencoded",
                                                            request.content());
        return forwarder.forward(h.loop, ByteBufAllocator.DEFAULT, request, mist, privateConnection);
    }

    private static int status(Forwarder.Exchange exchange) {
        assertThat(exchange.response().isDone()).isTrue();
        FullHttpResponse response = exchange.response().getNow().response();
        try {
            return response.status().code();
        } finally {
            response.release();
        }
    }

    // --- which path a request takes ------------------------------------------------------------------

    @Test
    void aLocalCallersInvalidationGoesToTheQueueAndAPrivateCallersToMist() {
        RouteDispatcher forwarder = forwarder(shipped(), null);

        PolicyHarness.Answer local = answer(send(forwarder, "{\"invalidate_sessions\":\"a\"}", null));
        assertThat(local.status()).isEqualTo(200);
        assertThat(local.reason()).isEqualTo(Decision.QUEUED);
        assertThat(local.route()).as("the queue's answer names its route").isEqualTo("invalidate-sessions");
        assertThat(queued).containsExactly("a");
        assertThat(h.upstream.started).isEmpty();
        assertThat(forwarder.policies().route("invalidate-sessions").decided(Decision.QUEUED))
                .as("counted with the route's decisions").isEqualTo(1);

        Forwarder.Exchange remote = send(forwarder, "{\"invalidate_sessions\":\"a\"}", PrivateConnection.of(h.channel));
        assertThat(queued).hasSize(1);
        h.upstream.only().answer(200);
        assertThat(answer(remote).reason()).isEqualTo(Decision.PROXIED);
    }

    @Test
    void aRequestTheQueueDoesNotTakeGoesToMist() {
        RouteDispatcher forwarder = forwarder(shipped(), null, (alloc, request, mist) -> null);

        Forwarder.Exchange exchange = send(forwarder, "{\"invalidate_sessions\":\"a\"}", null);

        h.upstream.only().answer(200);
        assertThat(status(exchange)).isEqualTo(200);
    }

    @Test
    void identicalLocalReadsShareOneCallAndAPrivateReadMakesItsOwn() {
        RouteDispatcher forwarder = forwarder(shipped(), null);
        Forwarder.Exchange first = send(forwarder, "{\"active_streams\":true}", null);
        Forwarder.Exchange second = send(forwarder, "{\"active_streams\":true}", null);
        Forwarder.Exchange remote = send(forwarder, "{\"active_streams\":true}", PrivateConnection.of(h.channel));

        assertThat(h.upstream.started).hasSize(2);
        h.upstream.started.get(0).answer(200);
        h.upstream.started.get(1).answer(200);
        h.runPending();

        assertThat(List.of(status(first), status(second), status(remote))).containsOnly(200);
        assertThat(forwarder.policies().route("get-state").decided(Decision.COALESCED)).as("counted with the route's decisions")
                                                                        .isEqualTo(1);
        assertThat(forwarder.cache().sharedCalls()).isEqualTo(1);
    }

    /**
     * The whole chain, policy layer, shared call and callers: a retry of a coalesced read that a busy
     * loop runs after every caller's own deadline has passed, before their deadline timers, starts no
     * attempt at Mist, and each caller gets its own deadline's answer.
     */
    @Test
    void aCoalescedReadsRetryRunAfterEveryCallersDeadlineStartsNoAttemptAndEachGetsItsDeadline() {
        RouteDispatcher forwarder = forwarder(shipped(), null);
        Forwarder.Exchange starter = send(forwarder, "{\"active_streams\":true}", null, 300L);
        Forwarder.Exchange joiner = send(forwarder, "{\"active_streams\":true}", null, 500L);
        h.upstream.only().fail(UpstreamFailure.RESET); // retried after a backoff of 50ms at most

        h.step(Duration.ofMillis(600).toNanos()); // the loop was busy past both callers' deadlines
        h.channel.runScheduledPendingTasks(); // the backoff, due first, runs first
        h.runPending();

        assertThat(h.upstream.started).as("no attempt for callers who are past their deadlines").hasSize(1);
        for (Forwarder.Exchange caller : List.of(starter, joiner)) {
            PolicyHarness.Answer answer = answer(caller);
            assertThat(answer.status()).isEqualTo(504);
            assertThat(answer.reason()).isEqualTo(Decision.CALLER_DEADLINE);
        }
        assertThat(forwarder.policies().breaker(MIST).calls()).as("only the reset was recorded").isEqualTo(1);
        assertThat(forwarder.policies().route("get-state").retries()).as("no retry made").isZero();
        assertThat(h.noTimersLeft()).isTrue();
    }

    /**
     * Regression: a shared call's own ending was counted as a decision on top of its callers' — a
     * caller leaving a call it shared was counted {@code cancelled} twice, and a background refresh
     * counted as an answer nobody got. Decisions count answers to callers, each once.
     */
    @Test
    void eachCallerOfASharedCallIsCountedOnceAndTheCallItselfNot() {
        RouteDispatcher forwarder = forwarder(shipped(), null);
        Forwarder.Exchange starter = send(forwarder, "{\"active_streams\":true}", null);
        Forwarder.Exchange leaving = send(forwarder, "{\"active_streams\":true}", null);
        leaving.cancel();
        h.upstream.only().answer(200);
        h.runPending();
        assertThat(status(starter)).isEqualTo(200);
        status(leaving);
        h.advance(Duration.ofSeconds(11)); // past fresh_for: the next two share a new call

        Forwarder.Exchange third = send(forwarder, "{\"active_streams\":true}", null);
        Forwarder.Exchange fourth = send(forwarder, "{\"active_streams\":true}", null);
        third.cancel();
        fourth.cancel(); // the last waiter out: the shared call is cancelled too
        h.runPending();
        status(third);
        status(fourth);

        RouteStatsSnapshot stats = forwarder.policies().route("get-state");
        assertThat(h.upstream.last().cancelled()).isTrue();
        assertThat(stats.decided(Decision.PROXIED)).isEqualTo(1);
        assertThat(stats.decided(Decision.CANCELLED)).isEqualTo(3);
        assertThat(stats.decisions().values().stream().mapToLong(Long::longValue).sum())
                .as("one decision per caller").isEqualTo(4);
    }

    @Test
    void aStaleAnswerIsCountedWithTheRoutesDecisionsAndReportedToItsObserver() {
        RouteDispatcher forwarder = forwarder(shipped(), null);
        storeAGetStateReply(forwarder);
        h.advance(Duration.ofSeconds(3));

        Forwarder.Exchange failed = send(forwarder, "{\"active_streams\":true}", null);
        h.upstream.last().fail(UpstreamFailure.RESET);
        h.advanceMillis(25); // the route's one retry
        h.upstream.last().fail(UpstreamFailure.RESET);
        h.runPending();

        assertThat(status(failed)).isEqualTo(200);
        assertThat(servedStale).containsExactly(Duration.ofSeconds(3));
        assertThat(forwarder.policies().route("get-state").decided(Decision.STALE)).isEqualTo(1);
    }

    /** One GetState answered by Mist, so that the cache holds an entry. */
    private void storeAGetStateReply(RouteDispatcher forwarder) {
        Forwarder.Exchange good = send(forwarder, "{\"active_streams\":true}", null);
        h.upstream.last().answer(200);
        h.runPending();
        assertThat(status(good)).isEqualTo(200);
        assertThat(forwarder.cache().entries()).isEqualTo(1);
    }

    // --- reloads ---------------------------------------------------------------------------------------

    @Test
    void aReloadKeepsTheBreakerPoolCountersRetryBudgetAndCacheOfWhatDidNotChange() {
        RouteDispatcher before = forwarder(shipped(), null);
        Breaker breaker = before.policies().breakerNamed(MIST);
        spendTheCatchAllsRetry(before);
        storeAGetStateReply(before);
        PolicyHarness.open(breaker);

        RouteDispatcher after = forwarder(shipped(), before);

        assertThat(after.policies().breakerNamed(MIST)).isSameAs(breaker);
        assertThat(after.policies().breaker(MIST).state()).isEqualTo("open");
        assertThat(after.policies().route("catch-all").retries()).as("counters kept").isEqualTo(1);
        assertThat(after.cache().entries()).as("the cache kept").isEqualTo(1);
        Forwarder.Exchange again = send(after, "{\"other\":1}", null);
        h.upstream.last().fail(UpstreamFailure.CONNECT_REFUSED);
        assertThat(status(again)).as("the spent retry budget carried over").isEqualTo(502);
        assertThat(after.policies().route("catch-all").retryBudgetExhausted()).isEqualTo(1);
    }

    /**
     * What changed starts afresh: a breaker's counts, a pool, a cache of other bounds, a retry budget
     * of other settings. (A breaker's open state and an operator's override are not settings and carry
     * over: BreakerForceTest.)
     */
    @Test
    void aReloadStartsAfreshWhatChanged() {
        RouteDispatcher before = forwarder(shipped(), null);
        spendTheCatchAllsRetry(before);
        storeAGetStateReply(before);
        RetryConfig otherRetry = ONE_RETRY.withAttempts(3);
        PolicyConfig changed = new PolicyConfig(
                List.of(read(ONE_RETRY, ReadCaching.COALESCE), invalidate(MIST),
                        new RouteConfig("catch-all", RouteMatch.ANY, RouteKind.PASSTHROUGH, BUDGET, BUDGET, otherRetry,
                                        null, null, RejectionConfig.DEFAULTS, null, ReadCaching.NONE)),
                Map.of(MIST, BreakerConfig.countWindow(50, 4, Duration.ofSeconds(3), 1)),
                Map.of(MIST, new AdmissionConfig(2, 10, Duration.ofSeconds(1))), new CacheConfig(1 << 20, 100));

        RouteDispatcher after = forwarder(changed, before);

        assertThat(after.policies().breakerNamed(MIST)).isNotSameAs(before.policies().breakerNamed(MIST));
        assertThat(after.policies().breaker(MIST).state()).isEqualTo("closed");
        assertThat(after.policies().admissions()).singleElement().isEqualTo(new AdmissionSnapshot(MIST, 0, 0, 0));
        assertThat(after.cache().entries()).as("other bounds: a new cache").isZero();
        assertThat(after.policies().route("catch-all").retries()).as("same name: counters kept").isEqualTo(1);
        Forwarder.Exchange again = send(after, "{\"other\":1}", null);
        h.upstream.last().fail(UpstreamFailure.CONNECT_REFUSED);
        h.advanceMillis(25);
        assertThat(again.response().isDone()).as("a fresh retry budget").isFalse();
        h.upstream.last().answer(200);
        assertThat(status(again)).isEqualTo(200);
    }

    @Test
    void aRenamedRouteStartsWithFreshCounters() {
        RouteDispatcher before = forwarder(shipped(), null);
        spendTheCatchAllsRetry(before);

        RouteDispatcher after = forwarder(config(read(ONE_RETRY, ReadCaching.COALESCE), invalidate(MIST),
                                                 catchAll("everything-else")), before);

        assertThat(after.policies().route("everything-else").retries()).isZero();
        assertThat(after.policies().routes()).extracting(RouteStatsSnapshot::route)
                                  .containsExactly("get-state", "invalidate-sessions", "everything-else");
    }

    @Test
    void aReloadKeepsSlotsHeldInAnUnchangedPool() {
        RouteDispatcher before = forwarder(shipped(), null);
        Forwarder.Exchange holding = send(before, "{\"active_streams\":true}", PrivateConnection.of(h.channel));
        assertThat(before.policies().admission(MIST).inFlight()).isEqualTo(1);

        RouteDispatcher after = forwarder(shipped(), before);

        assertThat(after.policies().admission(MIST).inFlight()).isEqualTo(1);
        h.upstream.only().answer(200);
        assertThat(status(holding)).isEqualTo(200);
        assertThat(after.policies().admission(MIST).inFlight()).isZero();
    }

    /** A catch-all request refused once and answered on its retry: the one retry of the window is spent. */
    private void spendTheCatchAllsRetry(RouteDispatcher forwarder) {
        Forwarder.Exchange exchange = send(forwarder, "{\"other\":1}", null);
        h.upstream.last().fail(UpstreamFailure.CONNECT_REFUSED);
        h.advanceMillis(25);
        h.upstream.last().answer(200);
        assertThat(status(exchange)).isEqualTo(200);
        assertThat(forwarder.policies().route("catch-all").retries()).isEqualTo(1);
    }

    // --- views -------------------------------------------------------------------------------------------

    @Test
    void theViewsListEveryBreakerPoolAndRouteByName() {
        RouteDispatcher forwarder = forwarder(shipped(), null);

        assertThat(forwarder.config()).isEqualTo(shipped());
        assertThat(forwarder.policies().breakers()).extracting(BreakerSnapshot::name).containsExactly(MIST);
        assertThat(forwarder.policies().admissions()).extracting(AdmissionSnapshot::name).containsExactly(MIST);
        assertThat(forwarder.policies().breakerNamed("nope")).isNull();
        assertThat(forwarder.policies().route("get-state").route()).isEqualTo("get-state");
        assertThatThrownBy(() -> forwarder.policies().route("nope")).isInstanceOf(IllegalArgumentException.class)
                                                         .hasMessage("no route nope");
    }

    @Test
    void queuedRoutesMayCallWhileTheirBreakerLetsCallsThrough() {
        RouteDispatcher forwarder = forwarder(shipped(), null);
        var mayCall = forwarder.policies().queuedRoutesMayCall();
        assertThat(mayCall.getAsBoolean()).isTrue();

        PolicyHarness.open(forwarder.policies().breakerNamed(MIST));

        assertThat(mayCall.getAsBoolean()).isFalse();
        h.advance(Duration.ofSeconds(2));
        assertThat(mayCall.getAsBoolean()).isTrue();
    }

    @Test
    void queuedRoutesWithoutABreakerMayAlwaysCall() {
        RouteDispatcher noBreaker = forwarder(config(read(ONE_RETRY, ReadCaching.COALESCE), invalidate(null),
                                                     catchAll("catch-all")), null);
        RouteDispatcher noQueue = forwarder(config(read(ONE_RETRY, ReadCaching.COALESCE), catchAll("catch-all")), null);
        noBreaker.policies().breakerNamed(MIST).force(true, Duration.ofMinutes(1));
        noQueue.policies().breakerNamed(MIST).force(true, Duration.ofMinutes(1));

        assertThat(noBreaker.policies().queuedRoutesMayCall().getAsBoolean()).isTrue();
        assertThat(noQueue.policies().queuedRoutesMayCall().getAsBoolean()).isTrue();
    }

    @Test
    void liveTablesSwapWholeOnReloadAndRequestsTakeTheOneInForce() {
        LiveRoutes live = new LiveRoutes(shipped(), h.upstream, h.clock, hooks, queue);
        RouteDispatcher first = live.current();
        var mayCall = live.queuedRoutesMayCall();
        assertThat(mayCall.getAsBoolean()).isTrue();

        RouteDispatcher second = live.reload(config(read(ONE_RETRY, ReadCaching.COALESCE), invalidate(MIST),
                                                    catchAll("everything-else")));

        assertThat(live.current()).isSameAs(second).isNotSameAs(first);
        assertThat(live.inflight()).isSameAs(h.inflight);
        Forwarder.Exchange exchange = send(live, "{\"other\":1}", null);
        h.upstream.only().answer(200);
        assertThat(status(exchange)).isEqualTo(200);
        assertThat(second.policies().route("everything-else").decided(Decision.PROXIED)).isEqualTo(1);
        second.policies().breakerNamed(MIST).force(true, Duration.ofMinutes(1));
        assertThat(mayCall.getAsBoolean()).as("asks the table in force").isFalse();
    }
}
