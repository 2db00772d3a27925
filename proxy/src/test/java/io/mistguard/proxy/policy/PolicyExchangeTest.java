package io.mistguard.proxy.policy;

import static io.mistguard.proxy.policy.PolicyHarness.answer;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.AdmissionConfig;
import io.mistguard.proxy.config.BreakerConfig;
import io.mistguard.proxy.config.ReadCaching;
import io.mistguard.proxy.config.RejectionConfig;
import io.mistguard.proxy.config.RetryConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.config.RouteKind;
import io.mistguard.proxy.config.RouteMatch;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.policy.PolicyHarness.Answer;
import io.mistguard.proxy.policy.ScriptedAttempts.Scripted;
import io.mistguard.proxy.upstream.UpstreamFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The policy state machine on fake time: one {@link PolicyExchange} per caller, driven on an
 * {@code EmbeddedChannel}'s frozen event loop with scripted upstream attempts and seeded jitter
 * ({@link PolicyHarness}). Deadlines, backoffs and queue timeouts are asserted to the nanosecond;
 * nothing sleeps. Each test checks what the exchange leaves behind: slot, queue place, permit,
 * timers, attempts in flight.
 */
class PolicyExchangeTest {

    private static final String MIST = "mist";
    private static final Duration BUDGET = Duration.ofSeconds(4);
    private static final Duration PER_TRY = Duration.ofSeconds(2);
    private static final Duration BASE = Duration.ofMillis(50);
    /** GetState's retries in the shipped table: two attempts, 50ms..500ms backoff, 20% budget, 3 floor. */
    private static final RetryConfig READ_RETRY = new RetryConfig(2, BASE, Duration.ofMillis(500), 0.2, 3,
                                                                  Duration.ofSeconds(10));
    /** Three attempts and a budget no test here spends, for tests about something else. */
    private static final RetryConfig THREE_ATTEMPTS = new RetryConfig(3, BASE, Duration.ofMillis(500), 1.0, 100,
                                                                      Duration.ofSeconds(10));
    private static final Duration OPEN = Duration.ofSeconds(2);
    /** Opens when 5 of the last 10 recorded calls failed; one trial while half-open. */
    private static final BreakerConfig MIST_BREAKER = BreakerConfig.countWindow(50, 10, OPEN, 1);
    /** One request at Mist, one waiting, 500ms queue timeout. */
    private static final AdmissionConfig MIST_POOL = new AdmissionConfig(1, 1, Duration.ofMillis(500));

    private final PolicyHarness h = new PolicyHarness();
    private final Breaker breaker = h.breaker(MIST, MIST_BREAKER);
    private final Admission pool = h.admission(MIST, MIST_POOL);

    @AfterEach
    void nothingLeftOver() {
        assertThat(h.finishedClean()).as("nothing left on the loop, no message leaked").isTrue();
    }

    private static RouteConfig route(String name, RouteKind kind, Duration timeout, Duration perTry, RetryConfig retry,
                                     String breaker, String admission) {
        return new RouteConfig(name, RouteMatch.ANY, kind, timeout, perTry, retry, breaker, admission,
                               RejectionConfig.DEFAULTS, null, ReadCaching.NONE);
    }

    /** GetState as shipped: 4s budget, 2s per try, the shared breaker and pool. */
    private RoutePolicy getState(RetryConfig retry) {
        return h.policy(route("get-state", RouteKind.READ, BUDGET, PER_TRY, retry, MIST, MIST));
    }

    private RoutePolicy getState(Duration perTry, RetryConfig retry) {
        return h.policy(route("get-state", RouteKind.READ, BUDGET, perTry, retry, MIST, MIST));
    }

    private static long nanos(Duration duration) {
        return duration.toNanos();
    }

    private static long millis(long millis) {
        return Duration.ofMillis(millis).toNanos();
    }

    /** Everything an answered exchange held is free again. */
    private void assertAllFree(RoutePolicy route) {
        assertThat(pool.snapshot().inFlight()).as("slots held").isZero();
        assertThat(pool.snapshot().queued()).as("queue places held").isZero();
        assertThat(h.inflight.list(h.clock.nanoTime())).as("attempts listed in flight").isEmpty();
        assertThat(route.stats().snapshot().upstreamInFlight()).isZero();
        assertThat(breaker.snapshot().trialsOut()).isZero();
    }

    // --- deadlines ---------------------------------------------------------------------------------

    @Test
    void theRouteDeadlineAnswers504TimeoutCancelsTheAttemptAndRecordsAFailure() {
        RoutePolicy route = getState(BUDGET, RetryConfig.NONE);
        PolicyExchange caller = h.call(route);
        Scripted attempt = h.upstream.only();
        assertThat(attempt.timeoutNanos).isEqualTo(nanos(BUDGET));

        h.advance(BUDGET.minusNanos(1));
        assertThat(caller.response().isDone()).isFalse();
        assertThat(attempt.cancelled()).isFalse();
        h.advance(Duration.ofNanos(1));

        Answer answer = answer(caller);
        assertThat(answer.status()).isEqualTo(504);
        assertThat(answer.reason()).isEqualTo(Decision.TIMEOUT);
        assertThat(answer.route()).isEqualTo("get-state");
        assertThat(answer.attempts()).isEqualTo(1);
        assertThat(answer.body()).contains("route get-state: 4000ms");
        assertThat(attempt.cancels).isEqualTo(1);
        assertThat(breaker.snapshot().calls()).as("the timeout is one of Mist's failures").isEqualTo(1);
        assertThat(breaker.snapshot().failureRate()).isEqualTo(100);
        RouteStatsSnapshot stats = route.stats().snapshot();
        assertThat(stats.attemptsCutByDeadline()).isEqualTo(1);
        assertThat(stats.decided(Decision.TIMEOUT)).isEqualTo(1);
        assertThat(stats.longestAnswer()).isEqualTo(BUDGET);
        assertThat(answer.upstreamNanos()).isEqualTo(nanos(BUDGET));
        assertThat(h.observer.attempted).containsExactly(nanos(BUDGET));
        assertThat(h.observer.answered).containsExactly(nanos(BUDGET));
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    @Test
    void aShorterCallerDeadlineAnswers504CallerDeadlineAndReleasesThePermitWithoutAVerdict() {
        RoutePolicy route = getState(RetryConfig.NONE);
        PolicyExchange caller = h.callWithDeadline(route, 300);
        Scripted attempt = h.upstream.only();
        assertThat(attempt.timeoutNanos).as("an attempt is bounded by the route, not by the caller")
                                        .isEqualTo(nanos(PER_TRY));

        h.advance(Duration.ofMillis(300).minusNanos(1));
        assertThat(caller.response().isDone()).isFalse();
        h.advance(Duration.ofNanos(1));

        Answer answer = answer(caller);
        assertThat(answer.status()).isEqualTo(504);
        assertThat(answer.reason()).isEqualTo(Decision.CALLER_DEADLINE);
        assertThat(answer.body()).contains("deadline of 300ms");
        assertThat(attempt.cancels).isEqualTo(1);
        assertThat(breaker.snapshot().calls()).as("the caller's choice says nothing about Mist").isZero();
        assertThat(breaker.snapshot().failureRate()).isZero();
        assertThat(route.stats().snapshot().attemptsCutByDeadline()).isEqualTo(1);
        assertThat(route.stats().snapshot().decided(Decision.CALLER_DEADLINE)).isEqualTo(1);
        assertThat(route.stats().snapshot().decided(Decision.TIMEOUT)).isZero();
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    @Test
    void aCallerDeadlineEqualToTheRouteBudgetIsTheRoutesOwnTimeout() {
        RoutePolicy route = getState(BUDGET, RetryConfig.NONE);
        PolicyExchange caller = h.callWithDeadline(route, BUDGET.toMillis());

        h.advance(BUDGET);

        assertThat(answer(caller).reason()).isEqualTo(Decision.TIMEOUT);
        assertThat(breaker.snapshot().calls()).isEqualTo(1);
    }

    @Test
    void aQueuedCallersOwnDeadlineEndsItsWaitAndCutsNothing() {
        RoutePolicy route = getState(RetryConfig.NONE);
        PolicyExchange admitted = h.call(route);
        PolicyExchange queued = h.callWithDeadline(route, 200); // shorter than the 500ms queue timeout

        h.advance(Duration.ofMillis(200).minusNanos(1));
        assertThat(queued.response().isDone()).isFalse();
        h.advance(Duration.ofNanos(1));

        Answer answer = answer(queued);
        assertThat(answer.reason()).isEqualTo(Decision.CALLER_DEADLINE);
        assertThat(answer.attempts()).isZero();
        assertThat(pool.snapshot().queued()).isZero();
        assertThat(route.stats().snapshot().attemptsCutByDeadline()).isZero();
        h.upstream.only().answer(200);
        assertThat(answer(admitted).reason()).isEqualTo(Decision.PROXIED);
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    @Test
    void eachAttemptGetsThePerTryTimeoutOrWhatIsLeftOfTheRouteBudget() {
        RoutePolicy route = getState(THREE_ATTEMPTS);
        h.pinJitter(0.5); // backoffs of 25ms, then 50ms
        PolicyExchange caller = h.call(route);
        h.advanceMillis(1000);
        h.upstream.only().fail(UpstreamFailure.RESET);
        h.advanceMillis(1500); // the second attempt started at 1025ms
        h.upstream.last().fail(UpstreamFailure.RESET);
        h.advanceMillis(50);

        List<Long> startedAt = new ArrayList<>();
        List<Long> timeouts = new ArrayList<>();
        for (Scripted attempt : h.upstream.started) {
            startedAt.add(attempt.startedAt - h.upstream.started.get(0).startedAt);
            timeouts.add(attempt.timeoutNanos);
        }
        assertThat(startedAt).containsExactly(0L, millis(1025), millis(2550));
        assertThat(timeouts).containsExactly(nanos(PER_TRY), nanos(PER_TRY), millis(4000 - 2550));

        h.advanceMillis(4000 - 2550);
        Answer answer = answer(caller);
        assertThat(answer.reason()).isEqualTo(Decision.TIMEOUT);
        assertThat(answer.attempts()).isEqualTo(3);
        assertThat(h.upstream.last().cancelled()).isTrue();
        assertThat(breaker.snapshot().calls()).as("three failures of Mist").isEqualTo(3);
        assertThat(breaker.snapshot().failureRate()).isEqualTo(100);
        assertAllFree(route);
    }

    @Test
    void anAttemptTimingOutOnItsOwnIsMistsFailureAndItsStatusIsAnswered() {
        RoutePolicy route = getState(RetryConfig.NONE);
        PolicyExchange caller = h.call(route);
        Scripted attempt = h.upstream.only();

        h.advance(PER_TRY);
        attempt.fail(UpstreamFailure.TIMEOUT); // as the client does when the attempt's own timer fires

        Answer answer = answer(caller);
        assertThat(answer.status()).isEqualTo(504);
        assertThat(answer.reason()).isEqualTo(Decision.of(UpstreamFailure.TIMEOUT));
        assertThat(attempt.cancelled()).isFalse();
        assertThat(breaker.snapshot().calls()).isEqualTo(1);
        assertThat(breaker.snapshot().failureRate()).isEqualTo(100);
        assertThat(route.stats().snapshot().attemptsCutByDeadline()).as("not cut by the deadline").isZero();
        assertAllFree(route);
        assertThat(h.noTimersLeft()).as("the deadline timer is cancelled").isTrue();
    }

    /**
     * Regression (PolicyIT failed once in CI, under load): an attempt given the rest of the budget
     * as its timeout has its timer due at about the same instant as the deadline's (each arming
     * reads the clock again, so either may be a few ns ahead). When its timer ran first, the caller
     * got the client's timeout text and the attempt was not counted as cut by the deadline.
     */
    @Test
    void anAttemptTimerThatIsTheRestOfTheBudgetRunningBeforeTheDeadlinesIsTheRoutesTimeout() {
        RoutePolicy route = getState(BUDGET, RetryConfig.NONE);
        PolicyExchange caller = h.call(route);
        Scripted attempt = h.upstream.only();
        assertThat(attempt.timeoutNanos).isEqualTo(nanos(BUDGET));

        h.advance(BUDGET.minusNanos(1));
        h.step(1); // the deadline is due, its timer not yet run
        attempt.fail(UpstreamFailure.TIMEOUT); // the attempt's own timer runs first

        assertThatTheRoutesBudgetRanOut(route, caller, 1, 1);
        assertThat(attempt.cancelled()).as("it ended on its own").isFalse();
    }

    /** The same race on the last of several attempts, whose timeout was what the budget had left. */
    @Test
    void theLastAttemptsTimerRunningBeforeTheDeadlinesIsTheRoutesTimeout() {
        RoutePolicy route = getState(THREE_ATTEMPTS);
        h.pinJitter(0.5); // backoffs of 25ms, then 50ms: the third attempt starts at 2550ms
        PolicyExchange caller = h.call(route);
        h.advanceMillis(1000);
        h.upstream.only().fail(UpstreamFailure.RESET);
        h.advanceMillis(1500);
        h.upstream.last().fail(UpstreamFailure.RESET);
        h.advanceMillis(50);
        Scripted last = h.upstream.last();
        assertThat(last.timeoutNanos).isEqualTo(millis(4000 - 2550));

        h.advance(Duration.ofMillis(4000 - 2550).minusNanos(1));
        h.step(1);
        last.fail(UpstreamFailure.TIMEOUT);

        assertThatTheRoutesBudgetRanOut(route, caller, 3, 1);
    }

    /**
     * A loop busy past the deadline runs an attempt's per-try timer (due earlier) before the
     * deadline's: the deadline has passed, so the caller gets its answer, but the attempt ended on
     * its own before it and is not counted as cut.
     */
    @Test
    void aPerTryTimeoutRunLateAfterTheDeadlineGivesTheDeadlinesAnswerWithoutCountingACut() {
        RoutePolicy route = getState(RetryConfig.NONE);
        PolicyExchange caller = h.call(route);
        Scripted attempt = h.upstream.only();
        assertThat(attempt.timeoutNanos).isEqualTo(nanos(PER_TRY));

        h.step(nanos(BUDGET) + millis(30)); // the loop was busy: no timer ran on time
        attempt.fail(UpstreamFailure.TIMEOUT);

        assertThatTheRoutesBudgetRanOut(route, caller, 1, 0);
    }

    /**
     * A loop busy past the deadline runs a retry's backoff (due earlier) before the deadline's timer:
     * no attempt is started, since it could only reach Mist and be cut.
     */
    @Test
    void aBackoffRunLateAfterTheDeadlineStartsNoAttempt() {
        RoutePolicy route = getState(THREE_ATTEMPTS);
        h.pinJitter(0.5); // a backoff of 25ms
        PolicyExchange caller = h.call(route);
        h.advanceMillis(3900);
        h.upstream.only().fail(UpstreamFailure.RESET); // retried after 25ms, 75ms before the deadline

        h.step(millis(200)); // the loop was busy past the deadline
        h.runPending(); // the backoff, due first, runs first

        assertThat(h.upstream.started).as("no second attempt").hasSize(1);
        assertThat(route.stats().snapshot().retries()).as("retries made, not planned").isZero();
        assertThatTheRoutesBudgetRanOut(route, caller, 1, 0);
    }

    /**
     * Regression: a failure other than the attempt's own timeout (here a reset) that the loop ran after
     * the route's deadline had passed, before the deadline's timer, answered 502 upstream-reset
     * where the deadline's timer would have answered 504. The reset is still Mist's failure.
     */
    @Test
    void aResetRunLateAfterTheDeadlineIsTheRoutesTimeoutAndStillMistsFailure() {
        RoutePolicy route = getState(THREE_ATTEMPTS);
        PolicyExchange caller = h.call(route);

        h.step(nanos(BUDGET) + millis(100)); // the loop was busy past the deadline
        h.upstream.only().fail(UpstreamFailure.RESET);

        assertThat(h.upstream.started).as("no retry").hasSize(1);
        assertThatTheRoutesBudgetRanOut(route, caller, 1, 0);
    }

    /**
     * Regression: a connect timeout (Netty's own timer, due before the caller's deadline) that the
     * loop ran after the caller's shorter deadline had passed answered 504 connect-timeout instead of
     * the caller's own deadline.
     */
    @Test
    void aConnectTimeoutRunLateAfterTheCallersDeadlineGivesTheCallersDeadlineAnswer() {
        RoutePolicy route = getState(THREE_ATTEMPTS);
        PolicyExchange caller = h.callWithDeadline(route, 1200);

        h.step(millis(1300));
        h.upstream.only().fail(UpstreamFailure.CONNECT_TIMEOUT);

        Answer answer = answer(caller);
        assertThat(answer.status()).isEqualTo(504);
        assertThat(answer.reason()).isEqualTo(Decision.CALLER_DEADLINE);
        assertThat(h.upstream.started).as("no retry").hasSize(1);
        assertThat(route.stats().snapshot().attemptsCutByDeadline()).isZero();
        assertThat(breaker.snapshot().failureRate()).as("the connect timeout is Mist's all the same").isEqualTo(100);
        assertAllFree(route);
        h.runPending();
        assertThat(h.noTimersLeft()).isTrue();
    }

    /**
     * Regression: when the caller's own deadline falls with the attempt's timeout (a deadline header
     * equal to {@code per_try_timeout}), the attempt's timer running first recorded a timeout
     * against Mist's breaker, where the deadline's timer running first records no verdict.
     */
    @Test
    void anAttemptTimerDueWithTheCallersDeadlineRunningFirstGivesMistsBreakerNoVerdict() {
        RoutePolicy route = getState(RetryConfig.NONE);
        PolicyExchange caller = h.callWithDeadline(route, PER_TRY.toMillis());
        Scripted attempt = h.upstream.only();
        assertThat(attempt.timeoutNanos).isEqualTo(nanos(PER_TRY));

        h.advance(PER_TRY.minusNanos(1));
        h.step(1); // both due, neither run
        attempt.fail(UpstreamFailure.TIMEOUT); // the attempt's timer runs first

        Answer answer = answer(caller);
        assertThat(answer.reason()).isEqualTo(Decision.CALLER_DEADLINE);
        assertThat(breaker.snapshot().calls()).as("the caller's choice says nothing about Mist").isZero();
        assertThat(route.stats().snapshot().attemptsCutByDeadline()).isEqualTo(1);
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    /**
     * Regression: a shared call's retry started an attempt at Mist although no waiter could take its
     * answer any longer (every waiter's own deadline had passed, the loop running the backoff before
     * their timers). Now the call ends without it.
     */
    @Test
    void aSharedCallStartsNoAttemptOnceNoWaiterWantsItsAnswer() {
        RoutePolicy route = getState(THREE_ATTEMPTS);
        h.pinJitter(0.5); // a backoff of 25ms
        AtomicBoolean wanted = new AtomicBoolean(true);
        List<Long> asked = new ArrayList<>();
        PolicyExchange shared = h.sharedCall(route, h.clock.nanoTime(), nanos(BUDGET), nanos(BUDGET), now -> {
            asked.add(now);
            return wanted.get();
        });
        assertThat(asked).as("asked before the first attempt").hasSize(1);
        h.upstream.only().fail(UpstreamFailure.RESET); // retried after 25ms

        wanted.set(false);
        h.advanceMillis(25);

        assertThat(asked).as("asked before the retry, with the loop's clock").hasSize(2)
                         .last().isEqualTo(h.clock.nanoTime());
        assertThat(h.upstream.started).as("no second attempt").hasSize(1);
        Answer answer = answer(shared);
        assertThat(answer.reason()).isEqualTo(Decision.CANCELLED);
        assertThat(answer.attempts()).isEqualTo(1);
        assertThat(breaker.snapshot().calls()).as("only the reset was recorded").isEqualTo(1);
        assertThat(route.stats().snapshot().retries()).as("retries made, not planned").isZero();
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    /**
     * A shared call tells how many attempts it has started while they run: a coalesced caller whose
     * own deadline ends first reports them ({@code cache/ReadExchange}). A caller's own exchange,
     * whose answer carries its attempts, publishes nothing.
     */
    @Test
    void aSharedCallPublishesItsAttemptsAndTimeAtMistSoFar() {
        RoutePolicy route = getState(THREE_ATTEMPTS);
        h.pinJitter(0.5); // a backoff of 25ms
        PolicyExchange shared = h.sharedCall(route, h.clock.nanoTime(), nanos(BUDGET), nanos(BUDGET), now -> true);
        assertThat(shared.attemptsStarted()).as("the first attempt, in flight").isEqualTo(1);
        h.advanceMillis(10);
        assertThat(shared.upstreamNanosSoFar(h.clock.nanoTime())).isEqualTo(nanos(Duration.ofMillis(10)));
        h.upstream.only().fail(UpstreamFailure.RESET);
        assertThat(shared.attemptsStarted()).as("during the backoff").isEqualTo(1);
        h.advanceMillis(25);
        assertThat(shared.attemptsStarted()).as("the retry, in flight").isEqualTo(2);
        h.advanceMillis(5);
        assertThat(shared.upstreamNanosSoFar(h.clock.nanoTime())).as("10ms ended, 5ms in flight; not the backoff")
                                                                 .isEqualTo(nanos(Duration.ofMillis(15)));
        h.upstream.started.get(1).answer(200);
        assertThat(answer(shared).attempts()).isEqualTo(2);

        PolicyExchange own = h.call(route);
        assertThat(own.attemptsStarted()).as("a caller's own exchange").isZero();
        assertThat(own.upstreamNanosSoFar(h.clock.nanoTime())).isZero();
        h.upstream.started.get(2).answer(200);
        assertThat(answer(own).attempts()).isEqualTo(1);
        assertAllFree(route);
    }

    private void assertThatTheRoutesBudgetRanOut(RoutePolicy route, PolicyExchange caller, int attempts, long cut) {
        Answer answer = answer(caller);
        assertThat(answer.status()).isEqualTo(504);
        assertThat(answer.reason()).isEqualTo(Decision.TIMEOUT);
        assertThat(answer.body()).contains("route get-state: 4000ms");
        assertThat(answer.attempts()).isEqualTo(attempts);
        assertThat(route.stats().snapshot().attemptsCutByDeadline()).isEqualTo(cut);
        assertThat(route.stats().snapshot().decided(Decision.TIMEOUT)).isEqualTo(1);
        assertThat(breaker.snapshot().failureRate()).as("each attempt one of Mist's failures").isEqualTo(100);
        assertAllFree(route);
        assertThat(h.noTimersLeft()).as("the deadline timer is cancelled").isTrue();
    }

    @Test
    void aSharedCallRunsOnTheBudgetOfItsFirstCallersArrival() {
        RoutePolicy route = getState(BUDGET, RetryConfig.NONE);
        long arrived = h.clock.nanoTime() - millis(1000);
        PolicyExchange shared = h.sharedCall(route, arrived, nanos(BUDGET), nanos(BUDGET));
        assertThat(h.upstream.only().timeoutNanos).isEqualTo(millis(3000));

        h.advance(Duration.ofMillis(3000).minusNanos(1));
        assertThat(shared.response().isDone()).isFalse();
        h.advance(Duration.ofNanos(1));

        assertThat(answer(shared).reason()).isEqualTo(Decision.TIMEOUT);
        assertThat(h.observer.attempted).as("its attempt is timed").containsExactly(millis(3000));
        assertThat(h.observer.answered).as("its callers' answers are the cache's to time").isEmpty();
        assertThat(route.stats().snapshot().longestAnswer()).isZero();
    }

    @Test
    void aLateAnswerAfterTheDeadlineIsCountedAndDropped() {
        RoutePolicy route = getState(BUDGET, RetryConfig.NONE);
        PolicyExchange caller = h.call(route);
        Scripted attempt = h.upstream.only();
        attempt.deafToCancel = true; // the answer was already on its way

        h.advance(BUDGET);
        assertThat(answer(caller).reason()).isEqualTo(Decision.TIMEOUT);
        h.advanceMillis(10);
        attempt.answer(200);

        assertThat(route.stats().snapshot().lateResponses()).isEqualTo(1);
        assertThat(breaker.snapshot().calls()).as("settled once, by the deadline").isEqualTo(1);
        assertThat(h.observer.attempted).containsExactly(nanos(BUDGET) + millis(10));
        assertAllFree(route);
    }

    // --- retries -------------------------------------------------------------------------------------

    @Test
    void aReadIsRetriedAfterTheJitteredBackoffAndNotBefore() {
        RoutePolicy route = getState(READ_RETRY);
        long backoff = (long) (nanos(BASE) * PolicyHarness.jitterSamples(1)[0]);
        assertThat(backoff).as("the seed gives a usable first sample").isGreaterThan(1);
        PolicyExchange caller = h.call(route);
        h.advanceMillis(100);
        h.upstream.only().fail(UpstreamFailure.RESET);

        h.advance(Duration.ofNanos(backoff - 1));
        assertThat(h.upstream.started).hasSize(1);
        assertThat(pool.snapshot().inFlight()).as("the slot is kept while backing off").isEqualTo(1);
        h.advance(Duration.ofNanos(1));

        assertThat(h.upstream.started).hasSize(2);
        Scripted second = h.upstream.last();
        assertThat(second.startedAt - h.upstream.started.get(0).startedAt).isEqualTo(millis(100) + backoff);
        assertThat(second.timeoutNanos).isEqualTo(nanos(PER_TRY));
        assertThat(h.inflight.list(h.clock.nanoTime())).singleElement()
                .satisfies(a -> assertThat(a.attempt()).isEqualTo(2));
        h.advanceMillis(30);
        second.answer(200);

        Answer answer = answer(caller);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.reason()).isEqualTo(Decision.PROXIED);
        assertThat(answer.attempts()).isEqualTo(2);
        assertThat(route.stats().snapshot().retries()).isEqualTo(1);
        assertThat(breaker.snapshot().calls()).isEqualTo(2);
        assertThat(breaker.snapshot().failureRate()).isEqualTo(50);
        assertThat(h.observer.attempted).containsExactly(millis(100), millis(30));
        assertThat(answer.upstreamNanos()).isEqualTo(millis(130));
        assertThat(h.observer.answered).containsExactly(millis(130) + backoff);
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    @ParameterizedTest(name = "{0} attempt(s)")
    @ValueSource(ints = {1, 2, 3})
    void aRouteMakesExactlyItsAttemptsThenAnswersTheLastFailure(int attempts) {
        RoutePolicy route = getState(THREE_ATTEMPTS.withAttempts(attempts));
        PolicyExchange caller = h.call(route);
        for (int i = 1; i < attempts; i++) {
            h.upstream.last().fail(UpstreamFailure.RESET);
            h.advanceMillis(500); // past any backoff
        }
        h.upstream.last().fail(UpstreamFailure.RESET);

        Answer answer = answer(caller);
        assertThat(answer.status()).isEqualTo(502);
        assertThat(answer.reason()).isEqualTo(Decision.of(UpstreamFailure.RESET));
        assertThat(answer.attempts()).isEqualTo(attempts);
        h.advance(BUDGET);
        assertThat(h.upstream.started).hasSize(attempts);
        assertThat(h.drawn).as("one backoff per retry").hasSize(attempts - 1);
        assertThat(route.stats().snapshot().retries()).isEqualTo(attempts - 1);
        assertAllFree(route);
    }

    /** Jitter 0.5: the first backoff is 25ms, and a retry needs 10ms left after it. */
    @ParameterizedTest(name = "failing {0}ns before the deadline: retried = {1}")
    @CsvSource({
            "35000000, true",
            "34999999, false",
    })
    void noRetryWhenLessThanTenMillisecondsWouldBeLeftAfterTheBackoff(long beforeDeadline, boolean retried) {
        RoutePolicy route = getState(BUDGET, READ_RETRY);
        h.pinJitter(0.5);
        PolicyExchange caller = h.call(route);
        h.advance(BUDGET.minusNanos(beforeDeadline));
        h.upstream.only().fail(UpstreamFailure.RESET);

        assertThat(caller.response().isDone()).isEqualTo(!retried);
        h.advanceMillis(25);
        assertThat(h.upstream.started).hasSize(retried ? 2 : 1);
        if (retried) {
            assertThat(h.upstream.last().timeoutNanos).isEqualTo(millis(10));
            h.upstream.last().answer(200);
            assertThat(answer(caller).reason()).isEqualTo(Decision.PROXIED);
        } else {
            assertThat(answer(caller).reason()).isEqualTo(Decision.of(UpstreamFailure.RESET));
            assertThat(route.stats().snapshot().retryBudgetExhausted()).as("the budget was not asked").isZero();
        }
        assertThat(route.stats().snapshot().retries()).isEqualTo(retried ? 1 : 0);
        assertAllFree(route);
    }

    @Test
    void theRetryBudgetAllowsMinRetriesPlusRatioTimesRequests() {
        // No floor, one retry per two requests: floor(0.5 * requests) retries in the window.
        RoutePolicy route = h.policy(route("get-state", RouteKind.READ, BUDGET, PER_TRY,
                new RetryConfig(2, BASE, Duration.ofMillis(500), 0.5, 0, Duration.ofSeconds(10)), null, null));
        List<Integer> statuses = new ArrayList<>();
        for (int request = 1; request <= 4; request++) {
            PolicyExchange caller = h.call(route);
            h.upstream.last().fail(UpstreamFailure.RESET);
            if (!caller.response().isDone()) {
                h.advanceMillis(50);
                h.upstream.last().answer(200);
            }
            statuses.add(answer(caller).status());
        }

        assertThat(statuses).as("requests 1..4 earn 0, 1, 1, 2 retries").containsExactly(502, 200, 502, 200);
        assertThat(route.stats().snapshot().retries()).isEqualTo(2);
        assertThat(route.stats().snapshot().retryBudgetExhausted()).isEqualTo(2);
        assertThat(h.noTimersLeft()).isTrue();
    }

    @Test
    void aRetrySpentFromTheBudgetIsBackOnlyWhenTheWindowHasPassed() {
        // One retry per 10s window whatever the traffic; the window slides in 1s buckets.
        RoutePolicy route = h.policy(route("get-state", RouteKind.READ, BUDGET, PER_TRY,
                new RetryConfig(2, BASE, Duration.ofMillis(500), 0.0, 1, Duration.ofSeconds(10)), null, null));
        long bucket = millis(1000);
        long misaligned = h.clock.nanoTime() % bucket;
        h.advance(Duration.ofNanos(misaligned == 0 ? 0 : bucket - misaligned));
        long spentAt = h.clock.nanoTime();

        PolicyExchange first = h.call(route);
        h.upstream.last().fail(UpstreamFailure.RESET);
        h.advanceMillis(50);
        h.upstream.last().answer(200);
        assertThat(answer(first).attempts()).isEqualTo(2);

        h.advance(Duration.ofNanos(spentAt + millis(10_000) - 1 - h.clock.nanoTime()));
        PolicyExchange second = h.call(route);
        h.upstream.last().fail(UpstreamFailure.RESET);
        assertThat(answer(second).attempts()).as("still inside the window").isEqualTo(1);

        h.advance(Duration.ofNanos(1));
        PolicyExchange third = h.call(route);
        h.upstream.last().fail(UpstreamFailure.RESET);
        h.advanceMillis(50);
        h.upstream.last().answer(200);
        assertThat(answer(third).attempts()).as("the spent retry left the window").isEqualTo(2);
        assertThat(route.stats().snapshot().retryBudgetExhausted()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} after {1}: retried = {2}")
    @CsvSource({
            "WRITE,       CONNECT_REFUSED, true",
            "WRITE,       CONNECT_TIMEOUT, true",
            "WRITE,       TIMEOUT,         false",
            "WRITE,       RESET,           false",
            "WRITE,       BAD_RESPONSE,    false",
            "QUEUED,      CONNECT_REFUSED, true",
            "QUEUED,      TIMEOUT,         false",
            "PASSTHROUGH, CONNECT_REFUSED, true",
            "PASSTHROUGH, RESET,           false",
    })
    void aWriteIsRetriedOnlyWhenItProvablyNeverReachedMist(RouteKind kind, UpstreamFailure failure, boolean retried) {
        assertRetried(kind, failure, retried);
    }

    @ParameterizedTest(name = "READ after {0}: retried = {1}")
    @CsvSource({
            "CONNECT_REFUSED,    true",
            "TIMEOUT,            true",
            "RESET,              true",
            "BAD_RESPONSE,       true",
            "RESPONSE_TOO_LARGE, false",
            "OUT_OF_MEMORY,      false",
    })
    void aReadIsRetriedAfterAnyFailureButAnOversizedAnswer(UpstreamFailure failure, boolean retried) {
        assertRetried(RouteKind.READ, failure, retried);
    }

    private void assertRetried(RouteKind kind, UpstreamFailure failure, boolean retried) {
        RoutePolicy route = h.policy(route(kind.configName(), kind, Duration.ofSeconds(10), Duration.ofSeconds(10),
                                           READ_RETRY, MIST, MIST));
        h.pinJitter(0.5);
        PolicyExchange caller = h.call(route);
        h.upstream.only().fail(failure);
        h.advanceMillis(25);

        assertThat(h.upstream.started).hasSize(retried ? 2 : 1);
        if (retried) {
            h.upstream.last().answer(200);
        }
        Answer answer = answer(caller);
        assertThat(answer.status()).isEqualTo(retried ? 200 : failure.status().code());
        assertThat(answer.reason()).isEqualTo(retried ? Decision.PROXIED : Decision.of(failure));
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    @Test
    void anErrorThatIsNotAnUpstreamFailureCountsAsAReset() {
        RoutePolicy route = getState(RetryConfig.NONE);
        PolicyExchange caller = h.call(route);

        h.upstream.only().fail(new IOException("connection reset by peer"));

        Answer answer = answer(caller);
        assertThat(answer.status()).isEqualTo(502);
        assertThat(answer.reason()).isEqualTo(Decision.of(UpstreamFailure.RESET));
        assertThat(breaker.snapshot().failureRate()).isEqualTo(100);
    }

    /**
     * Regression: mistguard's own lack of direct memory for Mist's answer ("Cannot reserve … direct
     * buffer memory") was answered 502 {@code bad-response} and counted against Mist, so large
     * replies could open the breaker of a healthy Mist. It is a 503 {@code out-of-memory} that the
     * breaker does not count, whether it comes as a classified failure or as the bare error.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"classified", "bare error", "wrapped by a decoder"})
    void ownOutOfMemoryIsNeitherCountedAgainstMistNorRetriedRegression(String how) {
        RoutePolicy route = getState(READ_RETRY);
        PolicyExchange caller = h.call(route);
        OutOfMemoryError shortage = new OutOfMemoryError("Cannot reserve 16777216 bytes of direct buffer memory");

        switch (how) {
            case "classified" -> h.upstream.only().fail(UpstreamFailure.OUT_OF_MEMORY);
            case "bare error" -> h.upstream.only().fail(shortage);
            default -> h.upstream.only().fail(new io.netty.handler.codec.DecoderException(shortage));
        }
        h.advanceMillis(25);

        assertThat(h.upstream.started).as("not retried").hasSize(1);
        Answer answer = answer(caller);
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.reason()).isEqualTo(Decision.OUT_OF_MEMORY);
        assertThat(answer.reason().upstreamFault()).isFalse();
        assertThat(breaker.snapshot().failureRate()).as("not recorded against Mist").isZero();
        assertAllFree(route);
    }

    // --- breaker -------------------------------------------------------------------------------------

    /** A retry whose backoff ends on an open breaker is never made, so it is not counted as one. */
    @Test
    void aRetryThatFindsTheBreakerOpenIsNotCountedAsARetry() {
        RoutePolicy route = getState(READ_RETRY);
        h.pinJitter(0.5); // a backoff of 25ms
        PolicyExchange caller = h.call(route);
        h.upstream.only().fail(UpstreamFailure.RESET);
        assertThat(route.stats().snapshot().retries()).as("planned, not made").isZero();

        PolicyHarness.open(breaker);
        h.advanceMillis(25);

        Answer answer = answer(caller);
        assertThat(answer.reason()).isEqualTo(Decision.BREAKER_OPEN);
        assertThat(answer.attempts()).isEqualTo(1);
        assertThat(route.stats().snapshot().retries()).isZero();
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    /** A queued caller's first attempt, started by the grant, is not a retry; its retry counts when it starts. */
    @Test
    void aGrantedFirstAttemptIsNotARetryAndARetryCountsWhenItStarts() {
        RoutePolicy route = getState(READ_RETRY);
        h.pinJitter(0.5);
        PolicyExchange admitted = h.call(route);
        PolicyExchange queued = h.call(route);
        h.upstream.only().answer(200);
        h.runPending(); // the grant: the queued caller's first attempt
        assertThat(answer(admitted).reason()).isEqualTo(Decision.PROXIED);
        assertThat(h.upstream.started).hasSize(2);
        assertThat(route.stats().snapshot().retries()).isZero();

        h.upstream.last().fail(UpstreamFailure.RESET);
        assertThat(route.stats().snapshot().retries()).as("planned, not made").isZero();
        h.advanceMillis(25);
        assertThat(h.upstream.started).hasSize(3);
        assertThat(route.stats().snapshot().retries()).isEqualTo(1);

        h.upstream.last().answer(200);
        assertThat(answer(queued).attempts()).isEqualTo(2);
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    @Test
    void anOpenBreakerAnswers503BreakerOpenWithoutAnAttempt() {
        RoutePolicy route = getState(READ_RETRY);
        PolicyHarness.open(breaker);

        PolicyExchange caller = h.call(route);

        Answer answer = answer(caller);
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.reason()).isEqualTo(Decision.BREAKER_OPEN);
        assertThat(answer.retryAfter()).isEqualTo("1");
        assertThat(answer.attempts()).isZero();
        assertThat(answer.body()).contains("breaker mist is open");
        assertThat(h.upstream.started).isEmpty();
        assertThat(route.stats().snapshot().decided(Decision.BREAKER_OPEN)).isEqualTo(1);
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    @Test
    void aRejectionWithoutRetryAfterSendsNoRetryAfter() {
        RoutePolicy route = h.policy(new RouteConfig("get-state", RouteMatch.ANY, RouteKind.READ, BUDGET, PER_TRY,
                                                     READ_RETRY, MIST, MIST, new RejectionConfig(429, Duration.ZERO),
                                                     null, ReadCaching.NONE));
        PolicyHarness.open(breaker);

        Answer answer = answer(h.call(route));

        assertThat(answer.status()).isEqualTo(429);
        assertThat(answer.retryAfter()).isNull();
    }

    @Test
    void aHalfOpenBreakerAdmitsItsConfiguredTrialsAndNoMore() {
        Breaker trials = h.breaker("trials", BreakerConfig.countWindow(50, 4, OPEN, 2));
        RoutePolicy route = h.policy(route("get-state", RouteKind.READ, BUDGET, PER_TRY, RetryConfig.NONE,
                                           "trials", null));
        PolicyHarness.open(trials);
        h.advance(OPEN.minusNanos(1));
        assertThat(answer(h.call(route)).reason()).as("still open").isEqualTo(Decision.BREAKER_OPEN);
        h.advance(Duration.ofNanos(1));

        PolicyExchange first = h.call(route);
        PolicyExchange second = h.call(route);
        PolicyExchange third = h.call(route);

        assertThat(h.upstream.started).hasSize(2);
        assertThat(answer(third).reason()).isEqualTo(Decision.BREAKER_OPEN);
        assertThat(trials.snapshot().trialsOut()).isEqualTo(2);
        h.upstream.started.get(0).answer(200);
        h.upstream.started.get(1).answer(200);
        assertThat(answer(first).reason()).isEqualTo(Decision.PROXIED);
        assertThat(answer(second).reason()).isEqualTo(Decision.PROXIED);
        assertThat(trials.snapshot().state()).isEqualTo("closed");

        PolicyExchange fourth = h.call(route);
        assertThat(h.upstream.started).hasSize(3);
        h.upstream.last().answer(200);
        assertThat(answer(fourth).reason()).isEqualTo(Decision.PROXIED);
        assertThat(trials.snapshot().trialsOut()).isZero();
    }

    // --- admission -----------------------------------------------------------------------------------

    @Test
    void aFullAdmissionQueueAnswersOverloadAtOnce() {
        RoutePolicy route = getState(RetryConfig.NONE);
        PolicyExchange admitted = h.call(route);
        PolicyExchange queued = h.call(route);

        PolicyExchange turnedAway = h.call(route);

        Answer answer = answer(turnedAway);
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.reason()).isEqualTo(Decision.OVERLOAD);
        assertThat(answer.body()).contains("the admission queue of mist is full");
        assertThat(answer.attempts()).isZero();
        assertThat(pool.snapshot()).isEqualTo(new AdmissionSnapshot(MIST, 1, 1, 1));
        assertThat(queued.response().isDone()).isFalse();
        assertThat(h.upstream.started).hasSize(1);

        h.upstream.only().answer(200);
        h.runPending(); // the freed slot hops to the waiter's loop
        assertThat(answer(admitted).reason()).isEqualTo(Decision.PROXIED);
        assertThat(h.upstream.started).hasSize(2);
        h.upstream.last().answer(200);
        assertThat(answer(queued).reason()).isEqualTo(Decision.PROXIED);
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    @Test
    void noSlotWithinTheQueueTimeoutAnswersQueueTimeout() {
        RoutePolicy route = getState(RetryConfig.NONE);
        PolicyExchange admitted = h.call(route);
        PolicyExchange queued = h.call(route);

        h.advance(MIST_POOL.queueTimeout().minusNanos(1));
        assertThat(queued.response().isDone()).isFalse();
        h.advance(Duration.ofNanos(1));

        Answer answer = answer(queued);
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.reason()).isEqualTo(Decision.QUEUE_TIMEOUT);
        assertThat(answer.attempts()).isZero();
        assertThat(pool.snapshot().queued()).isZero();
        assertThat(pool.snapshot().inFlight()).isEqualTo(1);
        h.upstream.only().answer(200);
        assertThat(answer(admitted).reason()).isEqualTo(Decision.PROXIED);
        assertThat(breaker.snapshot().calls()).as("only the admitted call was recorded").isEqualTo(1);
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    @Test
    void aQueuedCallerWhoseDeadlineFiresGivesBackItsQueuePlace() {
        // The queue timeout equals the read's budget, so the deadline is what ends the wait.
        Admission slow = h.admission("slow", new AdmissionConfig(1, 1, BUDGET));
        RoutePolicy write = h.policy(route("config-write", RouteKind.WRITE, Duration.ofSeconds(10),
                                           Duration.ofSeconds(10), RetryConfig.NONE, MIST, "slow"));
        RoutePolicy read = h.policy(route("get-state", RouteKind.READ, BUDGET, PER_TRY, RetryConfig.NONE, MIST,
                                          "slow"));
        PolicyExchange writer = h.call(write);
        PolicyExchange reader = h.call(read);

        h.advance(BUDGET.minusNanos(1));
        assertThat(reader.response().isDone()).isFalse();
        h.advance(Duration.ofNanos(1));

        Answer answer = answer(reader);
        assertThat(answer.status()).isEqualTo(504);
        assertThat(answer.reason()).isEqualTo(Decision.TIMEOUT);
        assertThat(answer.attempts()).isZero();
        assertThat(slow.snapshot().queued()).isZero();
        PolicyExchange next = h.call(read);
        assertThat(next.response().isDone()).as("the place is free for the next caller").isFalse();
        h.upstream.only().answer(200);
        h.runPending();
        assertThat(answer(writer).reason()).isEqualTo(Decision.PROXIED);
        assertThat(h.upstream.started).as("the slot went to the next caller").hasSize(2);
        h.upstream.last().answer(200);
        assertThat(answer(next).reason()).isEqualTo(Decision.PROXIED);
        assertThat(breaker.snapshot().failureRate()).as("a queued caller holds no permit").isZero();
        assertThat(slow.snapshot().inFlight()).isZero();
        assertThat(h.noTimersLeft()).isTrue();
    }

    /**
     * Regression: a loop busy past the deadline ran a queue wait's timer (due just before it) first,
     * and the caller got 503 {@code queue-timeout} where a punctual loop's deadline would have given
     * 504: which timer the loop ran first decided the answer.
     */
    @Test
    void aQueueWaitRunLateAfterTheDeadlineGivesTheDeadlinesAnswerAndItsPlaceBack() {
        Admission slow = h.admission("slow", new AdmissionConfig(1, 1, BUDGET.minusMillis(1)));
        RoutePolicy write = h.policy(route("config-write", RouteKind.WRITE, Duration.ofSeconds(10),
                                           Duration.ofSeconds(10), RetryConfig.NONE, MIST, "slow"));
        RoutePolicy read = h.policy(route("get-state", RouteKind.READ, BUDGET, PER_TRY, RetryConfig.NONE, MIST,
                                          "slow"));
        PolicyExchange writer = h.call(write);
        PolicyExchange reader = h.call(read);

        h.step(nanos(BUDGET) + millis(30)); // the loop was busy: no timer ran on time
        h.runPending(); // the queue wait, due first, runs first

        Answer answer = answer(reader);
        assertThat(answer.status()).isEqualTo(504);
        assertThat(answer.reason()).isEqualTo(Decision.TIMEOUT);
        assertThat(answer.attempts()).isZero();
        assertThat(read.stats().snapshot().decided(Decision.QUEUE_TIMEOUT)).isZero();
        assertThat(slow.snapshot().queued()).as("its queue place given back").isZero();
        h.upstream.only().answer(200);
        assertThat(answer(writer).reason()).isEqualTo(Decision.PROXIED);
        assertThat(slow.snapshot().inFlight()).isZero();
        assertThat(h.noTimersLeft()).isTrue();
    }

    /** The same with the caller's own, shorter deadline: its answer, with no verdict on Mist. */
    @Test
    void aQueueWaitRunLateAfterTheCallersDeadlineGivesTheCallersDeadlineAnswer() {
        RoutePolicy route = getState(RetryConfig.NONE);
        PolicyExchange admitted = h.call(route);
        PolicyExchange queued = h.callWithDeadline(route, 600); // the 500ms queue wait ends first

        h.step(millis(700));
        h.runPending();

        Answer answer = answer(queued);
        assertThat(answer.status()).isEqualTo(504);
        assertThat(answer.reason()).isEqualTo(Decision.CALLER_DEADLINE);
        assertThat(pool.snapshot().queued()).isZero();
        h.upstream.only().answer(200);
        assertThat(answer(admitted).reason()).isEqualTo(Decision.PROXIED);
        assertThat(breaker.snapshot().calls()).as("only the admitted call was recorded").isEqualTo(1);
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    @Test
    void aGrantThatWinsTheRaceWithTheQueueTimeoutGoesAhead() {
        RoutePolicy route = getState(RetryConfig.NONE);
        PolicyExchange admitted = h.call(route);
        PolicyExchange queued = h.call(route);
        h.advance(MIST_POOL.queueTimeout().minusNanos(1));

        h.upstream.only().answer(200); // the grant is on its way to the waiter's loop ...
        h.step(1);
        h.channel.runScheduledPendingTasks(); // ... when the queue timer fires first

        assertThat(queued.response().isDone()).isFalse();
        h.runPending();
        assertThat(h.upstream.started).hasSize(2);
        h.upstream.last().answer(200);
        assertThat(answer(admitted).reason()).isEqualTo(Decision.PROXIED);
        assertThat(answer(queued).reason()).isEqualTo(Decision.PROXIED);
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    // --- the caller leaving --------------------------------------------------------------------------

    @Test
    void aCallerLeavingWhileQueuedGivesBackItsPlace() {
        RoutePolicy route = getState(RetryConfig.NONE);
        PolicyExchange admitted = h.call(route);
        PolicyExchange queued = h.call(route);

        queued.cancel();
        queued.cancel();

        Answer answer = answer(queued);
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.reason()).isEqualTo(Decision.CANCELLED);
        assertThat(pool.snapshot().queued()).isZero();
        h.upstream.only().answer(200);
        h.runPending();
        assertThat(answer(admitted).reason()).isEqualTo(Decision.PROXIED);
        assertThat(h.upstream.started).as("nobody left to give the slot to").hasSize(1);
        assertThat(route.stats().snapshot().decided(Decision.CANCELLED)).isEqualTo(1);
        assertAllFree(route);
        assertThat(h.noTimersLeft()).as("its queue and deadline timers are cancelled").isTrue();
    }

    @Test
    void aGrantOnItsWayWhenTheCallerLeavesIsGivenBack() {
        RoutePolicy route = getState(RetryConfig.NONE);
        PolicyExchange admitted = h.call(route);
        PolicyExchange queued = h.call(route);

        h.upstream.only().answer(200); // the slot is granted; the grant waits on the loop's queue
        queued.cancel();
        assertThat(pool.snapshot().inFlight()).as("held for the waiter until its grant runs").isEqualTo(1);
        h.runPending();

        assertThat(answer(admitted).reason()).isEqualTo(Decision.PROXIED);
        assertThat(answer(queued).reason()).isEqualTo(Decision.CANCELLED);
        assertThat(h.upstream.started).hasSize(1);
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    @Test
    void aCallerLeavingDuringAnAttemptCancelsItAndReleasesThePermitWithoutAVerdict() {
        RoutePolicy route = getState(READ_RETRY);
        PolicyExchange caller = h.call(route);
        Scripted attempt = h.upstream.only();
        h.advanceMillis(100);

        caller.cancel();
        caller.cancel();

        Answer answer = answer(caller);
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.reason()).isEqualTo(Decision.CANCELLED);
        assertThat(attempt.cancels).isEqualTo(1);
        assertThat(breaker.snapshot().calls()).isZero();
        assertThat(h.upstream.started).as("a cancelled attempt is not retried").hasSize(1);
        assertThat(route.stats().snapshot().attemptsCutByDeadline()).isZero();
        assertThat(answer.upstreamNanos()).isEqualTo(millis(100));
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    @Test
    void aCallerLeavingDuringAHalfOpenTrialSettlesItOnceEvenIfMistAnswersLate() {
        RoutePolicy route = getState(RetryConfig.NONE);
        PolicyHarness.open(breaker);
        h.advance(OPEN);
        PolicyExchange caller = h.call(route);
        Scripted trial = h.upstream.only();
        trial.deafToCancel = true;
        assertThat(breaker.snapshot().trialsOut()).isEqualTo(1);

        caller.cancel();
        assertThat(breaker.snapshot().state()).as("an abandoned trial gives no verdict: still half-open")
                .isEqualTo("half_open");
        assertThat(breaker.snapshot().trialsOut()).as("its trial is free for the next caller").isZero();
        trial.answer(200);

        assertThat(breaker.snapshot().state()).as("the late answer records nothing more").isEqualTo("half_open");
        assertThat(route.stats().snapshot().lateResponses()).isEqualTo(1);
        assertThat(answer(caller).reason()).isEqualTo(Decision.CANCELLED);
        assertAllFree(route);
    }

    @Test
    void aCallerLeavingDuringTheBackoffStopsTheRetry() {
        RoutePolicy route = getState(READ_RETRY);
        h.pinJitter(1.0);
        PolicyExchange caller = h.call(route);
        h.upstream.only().fail(UpstreamFailure.RESET);
        h.advanceMillis(25);

        caller.cancel();
        h.advance(BUDGET);

        assertThat(answer(caller).reason()).isEqualTo(Decision.CANCELLED);
        assertThat(h.upstream.started).hasSize(1);
        assertThat(breaker.snapshot().calls()).as("the reset, recorded once").isEqualTo(1);
        assertThat(route.stats().snapshot().retries()).as("retries made, not planned").isZero();
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    // --- attempts that end on their own --------------------------------------------------------------

    @Test
    void thePermitIsSettledOnceAfterAnAttemptThatFailedOnItsOwn() {
        RoutePolicy route = getState(RetryConfig.NONE);
        PolicyExchange caller = h.call(route);
        h.advanceMillis(100);

        h.upstream.only().fail(UpstreamFailure.RESET);
        h.advance(BUDGET);

        assertThat(answer(caller).status()).isEqualTo(502);
        assertThat(h.upstream.only().cancelled()).isFalse();
        assertThat(breaker.snapshot().calls()).isEqualTo(1);
        assertThat(breaker.snapshot().failureRate()).isEqualTo(100);
        assertAllFree(route);
        assertThat(h.noTimersLeft()).isTrue();
    }

    @Test
    void anAttemptCancelledUnderneathIsNeitherRetriedNorHeldAgainstMist() {
        RoutePolicy route = getState(THREE_ATTEMPTS);
        PolicyExchange caller = h.call(route);

        h.upstream.only().fail(UpstreamFailure.CANCELLED);
        h.advanceMillis(500);

        Answer answer = answer(caller);
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.reason()).isEqualTo(Decision.CANCELLED);
        assertThat(h.upstream.started).hasSize(1);
        assertThat(breaker.snapshot().calls()).isZero();
        assertAllFree(route);
    }

    @Test
    void aHalfOpenTrialCancelledUnderneathFreesItsTrialWithoutAVerdict() {
        RoutePolicy route = getState(RetryConfig.NONE);
        PolicyHarness.open(breaker);
        h.advance(OPEN);
        PolicyExchange caller = h.call(route);
        assertThat(breaker.snapshot().trialsOut()).isEqualTo(1);

        h.upstream.only().fail(UpstreamFailure.CANCELLED);

        assertThat(answer(caller).reason()).isEqualTo(Decision.CANCELLED);
        assertThat(breaker.snapshot().trialsOut()).isZero();
        assertThat(breaker.snapshot().state()).as("a cancellation says nothing about Mist: still half-open")
                                              .isEqualTo("half_open");
        Breaker.Permit next = breaker.tryAcquire();
        assertThat(next).as("the freed trial goes to the next caller").isNotNull();
        next.abandon();
        assertAllFree(route);
    }

    @Test
    void anAttemptAtMistIsListedInFlightUntilItEnds() {
        RoutePolicy route = getState(RetryConfig.NONE);
        PolicyExchange caller = h.call(route);
        h.advanceMillis(300);

        assertThat(h.inflight.list(h.clock.nanoTime())).singleElement().satisfies(a -> {
            assertThat(a.route()).isEqualTo("get-state");
            assertThat(a.attempt()).isEqualTo(1);
            assertThat(a.age(h.clock.nanoTime())).isEqualTo(Duration.ofMillis(300));
            assertThat(a.untilDeadline(h.clock.nanoTime())).isEqualTo(BUDGET.minusMillis(300));
        });
        assertThat(route.stats().snapshot().upstreamInFlight()).isEqualTo(1);
        h.upstream.only().answer(200);

        Answer answer = answer(caller);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.reason()).isEqualTo(Decision.PROXIED);
        assertThat(answer.route()).isEqualTo("get-state");
        assertThat(answer.attempts()).isEqualTo(1);
        assertThat(breaker.snapshot().calls()).isEqualTo(1);
        assertThat(breaker.snapshot().failureRate()).isZero();
        assertAllFree(route);
    }

    @Test
    void aRouteWithoutBreakerOrPoolIsCutByItsDeadlineAllTheSame() {
        RoutePolicy route = h.policy(route("catch-all", RouteKind.PASSTHROUGH, BUDGET, BUDGET, RetryConfig.NONE,
                                           null, null));
        PolicyExchange caller = h.call(route);

        h.advance(BUDGET);

        assertThat(answer(caller).reason()).isEqualTo(Decision.TIMEOUT);
        assertThat(h.upstream.only().cancelled()).isTrue();
        assertThat(route.stats().snapshot().attemptsCutByDeadline()).isEqualTo(1);
    }

    @Test
    void aRouteWithoutBreakerOrPoolGoesStraightToMist() {
        RoutePolicy route = h.policy(route("catch-all", RouteKind.PASSTHROUGH, BUDGET, BUDGET, RetryConfig.NONE,
                                           null, null));
        PolicyExchange caller = h.call(route);
        h.upstream.only().answer(404);

        Answer answer = answer(caller);
        assertThat(answer.status()).as("Mist's own errors are passed through").isEqualTo(404);
        assertThat(answer.reason()).isEqualTo(Decision.PROXIED);
        assertThat(breaker.snapshot().calls()).isZero();
        assertThat(pool.snapshot().inFlight()).isZero();
        assertThat(h.noTimersLeft()).isTrue();
    }
}
