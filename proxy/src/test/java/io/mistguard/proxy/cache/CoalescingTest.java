package io.mistguard.proxy.cache;

import static io.mistguard.proxy.cache.ReadRouteHarness.answer;
import static io.mistguard.proxy.cache.ReadRouteHarness.mistReply;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.cache.ReadRouteHarness.Answer;
import io.mistguard.proxy.cache.ReadRouteHarness.FakeCall;
import io.mistguard.proxy.exchange.Forwarder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Joining and leaving a shared call on fake time: who may cancel it (only the last caller to go
 * away), and how a caller whose own deadline is shorter is answered without ending it for the others.
 */
@Timeout(10) // fake time: a hang here is a spinning loop, never a slow machine
class CoalescingTest {

    private static final String ROUTE = """
            name: get-state
            match: {commands: [active_streams, stats_streams, push_list, push_auto_list]}
            kind: read
            timeout: 2s
            retry: {attempts: 1}
            breaker: none
            coalesce: true
            stale: {max_age: 30s}
            """;

    /** Stores Mist's reply "old" and lets 3 s pass: past fresh, within the route's {@code stale.max_age}. */
    private static void storeAReplyThreeSecondsOld(ReadRouteHarness h) {
        Forwarder.Exchange first = h.getState();
        h.onlyCall().reply("old");
        answer(first);
        h.advance(Duration.ofSeconds(3));
    }

    @Test
    void theLastWaiterGoingAwayCancelsTheSharedCallAndTheNextCallerStartsANewOne() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            List<Forwarder.Exchange> callers = List.of(h.getState(), h.getState(), h.getState());
            FakeCall shared = h.onlyCall();
            assertThat(h.cache.snapshot().coalesced()).isEqualTo(2);

            callers.get(0).cancel();
            callers.get(1).cancel();
            h.runPending();
            assertThat(shared.cancelled()).as("one caller still waits").isFalse();
            assertThat(callers.get(2).response().isDone()).isFalse();

            callers.get(2).cancel();
            h.runPending();
            assertThat(shared.cancels).isEqualTo(1);
            assertThat(h.cache.inFlight()).isZero();
            for (Forwarder.Exchange caller : callers) {
                Answer gone = answer(caller);
                assertThat(gone.decision()).isEqualTo("rejected; reason=cancelled");
                assertThat(gone.attempts()).as("the call's attempt, for the log line").isEqualTo(1);
            }

            Forwarder.Exchange next = h.getState();
            assertThat(h.calls).as("a cancelled call is never joined").hasSize(2);
            h.lastCall().reply("new");
            assertThat(answer(next).decision()).isEqualTo("proxied");
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @ParameterizedTest(name = "caller {0} of 3 leaves")
    @ValueSource(ints = {0, 1, 2})
    void aWaiterLeavingWhileOthersWaitDoesNotCancelAndTheOthersGetTheAnswer(int leaver) throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            List<Forwarder.Exchange> callers = List.of(h.getState(), h.getState(), h.getState());

            callers.get(leaver).cancel();
            h.runPending();
            assertThat(h.onlyCall().cancelled()).isFalse();
            assertThat(answer(callers.get(leaver)).status()).isEqualTo(503);

            h.onlyCall().reply("shared");
            for (int i = 0; i < callers.size(); i++) {
                if (i == leaver) {
                    continue;
                }
                Answer a = answer(callers.get(i));
                assertThat(a.body()).isEqualTo(mistReply("shared"));
                // the starter's answer keeps Mist's decision (also when the starter left), joiners say they shared it
                assertThat(a.decision()).isEqualTo(i == 0 ? "proxied" : "coalesced");
            }
            assertThat(h.cache.inFlight()).isZero();
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void aJoinersShorterDeadlineAnswersIt504WithoutCancellingTheSharedCall() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            Forwarder.Exchange patient = h.getState();
            h.advance(Duration.ofMillis(100));
            Forwarder.Exchange hurried = h.getState(0, Duration.ofMillis(500));

            h.advance(Duration.ofMillis(499));
            assertThat(hurried.response().isDone()).isFalse();
            h.advance(Duration.ofMillis(1));
            Answer timedOut = answer(hurried);
            assertThat(timedOut.status()).isEqualTo(504);
            assertThat(timedOut.decision()).isEqualTo("rejected; reason=caller-deadline");
            assertThat(timedOut.attempts()).as("the attempt the call has in flight").isEqualTo(1);
            assertThat(timedOut.upstreamNanos()).as("a joiner's time at Mist is the starter's").isZero();
            assertThat(h.observed).contains("caller-deadline");

            assertThat(h.onlyCall().cancelled()).isFalse();
            assertThat(patient.response().isDone()).isFalse();
            h.onlyCall().reply("late");
            assertThat(answer(patient).body()).isEqualTo(mistReply("late"));
            assertThat(h.cache.snapshot().stored()).as("kept for the next poll").isEqualTo(1);
            assertThat(h.finishedClean()).isTrue();
        }
    }

    /**
     * Regression: a joiner whose own deadline ended while the shared call went on was answered with
     * no attempts at all ({@code Mistguard-Attempts} absent, {@code attempts=0} in its log line),
     * although the call it waited on had attempts at Mist under way. It now reports those started
     * so far, as when the call has ended, and as many as are known when one is on another loop.
     */
    @Test
    void aJoinersOwnDeadlineReportsTheAttemptsTheSharedCallHasStartedRegression() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            int other = h.loop();
            Forwarder.Exchange patient = h.getState();
            Forwarder.Exchange hurried = h.getState(0, Duration.ofMillis(500));
            Forwarder.Exchange elsewhere = h.getState(other, Duration.ofMillis(700));
            h.onlyCall().attemptsStarted = 2; // a retry under way

            h.advance(Duration.ofMillis(500));
            assertThat(answer(hurried).attempts()).isEqualTo(2);
            h.onlyCall().attemptsStarted = 3;
            h.advance(Duration.ofMillis(200));
            assertThat(answer(elsewhere).attempts()).isEqualTo(3);

            h.onlyCall().reply("late");
            assertThat(answer(patient).attempts()).isEqualTo(1); // what the fake call settles with
            assertThat(h.finishedClean()).isTrue();
        }
    }

    /**
     * The starter whose own deadline ends while its call goes on (for callers with longer deadlines)
     * reports the call's time at Mist up to then, as a caller's own exchange cut by its deadline does.
     */
    @Test
    void aStartersOwnDeadlineReportsTheCallsTimeAtMistSoFarRegression() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            Forwarder.Exchange hurried = h.getState(0, Duration.ofMillis(300));
            h.advance(Duration.ofMillis(100));
            Forwarder.Exchange patient = h.getState();

            h.advance(Duration.ofMillis(200));

            Answer timedOut = answer(hurried);
            assertThat(timedOut.decision()).isEqualTo("rejected; reason=caller-deadline");
            assertThat(timedOut.attempts()).isEqualTo(1);
            assertThat(timedOut.upstreamNanos()).isEqualTo(Duration.ofMillis(300).toNanos());
            assertThat(h.onlyCall().cancelled()).as("the patient caller still waits").isFalse();
            h.onlyCall().reply("late");
            assertThat(answer(patient).decision()).isEqualTo("coalesced");
            assertThat(h.finishedClean()).isTrue();
        }
    }

    /**
     * Regression: a shared call that failed after a joiner's own, earlier deadline had passed, run by
     * a busy loop before that deadline's timer, gave the joiner the call's failure instead of the
     * answer its own deadline gives, whichever of the two the loop ran first.
     */
    @Test
    void aSharedFailureRunLateAfterAJoinersOwnDeadlineGivesTheJoinerItsDeadlinesAnswer() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            Forwarder.Exchange patient = h.getState();
            Forwarder.Exchange hurried = h.getState(0, Duration.ofMillis(500));

            h.step(Duration.ofMillis(600)); // the loop was busy past the joiner's deadline
            h.onlyCall().timeOut(); // the call's failure reaches the joiner before its deadline's timer

            Answer timedOut = answer(hurried);
            assertThat(timedOut.status()).isEqualTo(504);
            assertThat(timedOut.decision()).isEqualTo("rejected; reason=caller-deadline");
            assertThat(timedOut.attempts()).as("a joiner sees the ended call's attempts").isEqualTo(1);
            assertThat(timedOut.upstreamNanos()).as("its time at Mist is the starter's").isZero();
            assertThat(h.observed).contains("caller-deadline");
            assertThat(answer(patient).decision()).as("the starter gets the call's own failure")
                                                  .isEqualTo("rejected; reason=timeout");
            assertThat(h.noTimersLeft()).as("the joiner's deadline timer is cancelled").isTrue();
            assertThat(h.cache.inFlight()).isZero();
            assertThat(h.finishedClean()).isTrue();
        }
    }

    /** The same for a joiner on another event loop, whose result hops there before its timer runs. */
    @Test
    void aSharedFailureHoppingToAJoinerOnAnotherLoopAfterItsDeadlineGivesItsDeadlinesAnswer() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            int other = h.loop();
            Forwarder.Exchange patient = h.getState();
            Forwarder.Exchange hurried = h.getState(other, Duration.ofMillis(500));

            h.step(Duration.ofMillis(600));
            h.onlyCall().timeOut();
            h.runPending(); // the hop, not the timers

            assertThat(answer(hurried).decision()).isEqualTo("rejected; reason=caller-deadline");
            assertThat(answer(patient).decision()).isEqualTo("rejected; reason=timeout");
            assertThat(h.noTimersLeft()).isTrue();
            assertThat(h.finishedClean()).isTrue();
        }
    }

    /** Its stored entry, within {@code stale.max_age}, is what a joiner's own deadline gives there too. */
    @Test
    void aSharedFailureRunLateAfterAJoinersOwnDeadlineGivesItTheStaleEntry() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            storeAReplyThreeSecondsOld(h);
            Forwarder.Exchange patient = h.getState();
            Forwarder.Exchange hurried = h.getState(0, Duration.ofMillis(300));

            h.step(Duration.ofMillis(400));
            h.lastCall().timeOut();

            Answer stale = answer(hurried);
            assertThat(stale.decision()).isEqualTo("stale; reason=caller-deadline");
            assertThat(stale.body()).isEqualTo(mistReply("old"));
            assertThat(answer(patient).decision()).isEqualTo("stale; reason=timeout");
            assertThat(h.noTimersLeft()).isTrue();
            assertThat(h.finishedClean()).isTrue();
        }
    }

    /** A starter ended so keeps the attempts and the time at Mist of the call it started. */
    @Test
    void aStarterEndedByItsOwnDeadlineAfterTheCallFailedKeepsTheCallsAttempts() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            Forwarder.Exchange hurried = h.getState(0, Duration.ofMillis(500));
            Forwarder.Exchange patient = h.getState();
            FakeCall shared = h.onlyCall();
            shared.upstreamNanos = Duration.ofMillis(450).toNanos();

            h.step(Duration.ofMillis(600));
            shared.timeOut();

            Answer timedOut = answer(hurried);
            assertThat(timedOut.decision()).isEqualTo("rejected; reason=caller-deadline");
            assertThat(timedOut.attempts()).isEqualTo(1);
            assertThat(timedOut.upstreamNanos()).isEqualTo(Duration.ofMillis(450).toNanos());
            assertThat(answer(patient).decision()).isEqualTo("rejected; reason=timeout");
            assertThat(h.finishedClean()).isTrue();
        }
    }

    /** A reply that arrives after a joiner's deadline passed, before its timer ran, is still given. */
    @Test
    void aSharedReplyRunLateAfterAJoinersOwnDeadlineIsStillGivenToTheJoiner() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            Forwarder.Exchange patient = h.getState();
            Forwarder.Exchange hurried = h.getState(0, Duration.ofMillis(500));

            h.step(Duration.ofMillis(600));
            h.onlyCall().reply("late");

            assertThat(answer(hurried).decision()).isEqualTo("coalesced");
            assertThat(answer(patient).decision()).isEqualTo("proxied");
            assertThat(h.noTimersLeft()).isTrue();
            assertThat(h.finishedClean()).isTrue();
        }
    }

    /**
     * Regression: a shared call whose waiters' own deadlines had all passed could still start an
     * attempt at Mist when the loop ran a retry or an admission grant before their timers. The call
     * now answers its policy layer that nobody wants it (which ends it there), and nobody joins it
     * after: a new caller starts a call of its own.
     */
    @Test
    void aSharedCallIsWantedUntilItsLatestWaitersOwnDeadlineAndNobodyJoinsItAfter() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            Forwarder.Exchange first = h.getState(0, Duration.ofMillis(300));
            h.advance(Duration.ofMillis(100));
            Forwarder.Exchange second = h.getState(0, Duration.ofMillis(400)); // its deadline: 500ms
            FakeCall shared = h.onlyCall();

            h.step(Duration.ofMillis(399)); // at 499ms: the first's deadline has passed, the second's not
            assertThat(shared.wanted.test(h.clock.nanoTime())).isTrue();
            h.step(Duration.ofMillis(1));
            assertThat(shared.wanted.test(h.clock.nanoTime())).as("every waiter's own deadline has passed")
                                                               .isFalse();
            assertThat(shared.wanted.test(h.clock.nanoTime())).as("and it stays so").isFalse();

            Forwarder.Exchange next = h.getState();
            assertThat(h.calls).as("nobody joins a call that no waiter wants").hasSize(2);
            shared.cancel(); // what the policy layer does then: it ends the call
            assertThat(answer(first).decision()).isEqualTo("rejected; reason=caller-deadline");
            assertThat(answer(second).decision()).isEqualTo("rejected; reason=caller-deadline");
            h.lastCall().reply("new");
            assertThat(answer(next).decision()).isEqualTo("proxied");
            assertThat(h.noTimersLeft()).isTrue();
            assertThat(h.finishedClean()).isTrue();
        }
    }

    /**
     * Regression: a waiter that went away (its caller disconnected) kept counting until its own,
     * later deadline, so a retry or grant run after the remaining waiters' deadlines still started an
     * attempt at Mist that the last of them then cancelled.
     */
    @Test
    void aWaiterThatWentAwayNoLongerKeepsTheCallWanted() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            Forwarder.Exchange hurried = h.getState(0, Duration.ofMillis(300));
            Forwarder.Exchange gone = h.getState(); // the route's whole 2s
            FakeCall shared = h.onlyCall();
            gone.cancel();
            h.runPending();
            assertThat(shared.cancelled()).as("a waiter is left").isFalse();

            h.step(Duration.ofMillis(310));

            assertThat(shared.wanted.test(h.clock.nanoTime())).isFalse();
            shared.cancel(); // the policy layer ends the call
            assertThat(answer(hurried).decision()).isEqualTo("rejected; reason=caller-deadline");
            assertThat(answer(gone).decision()).isEqualTo("rejected; reason=cancelled");
            assertThat(h.noTimersLeft()).isTrue();
            assertThat(h.finishedClean()).isTrue();
        }
    }

    /** A call nobody waits on any more is not wanted either, whatever the deadlines. */
    @Test
    void aSharedCallWhoseLastWaiterLeftIsNotWanted() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            Forwarder.Exchange only = h.getState();
            FakeCall shared = h.onlyCall();
            assertThat(shared.wanted.test(h.clock.nanoTime())).isTrue();

            only.cancel();

            assertThat(shared.wanted.test(h.clock.nanoTime())).isFalse();
            h.runPending();
            assertThat(shared.cancels).isEqualTo(1);
            assertThat(answer(only).decision()).isEqualTo("rejected; reason=cancelled");
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void aJoinersShorterDeadlineAnswersItStaleWhenThereIsAnEntryAndTheCallGoesOn() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            storeAReplyThreeSecondsOld(h);

            Forwarder.Exchange patient = h.getState();
            Forwarder.Exchange hurried = h.getState(0, Duration.ofMillis(300));
            h.advance(Duration.ofMillis(300));

            Answer stale = answer(hurried);
            assertThat(stale.decision()).isEqualTo("stale; reason=caller-deadline");
            assertThat(stale.body()).isEqualTo(mistReply("old"));
            assertThat(stale.age()).isEqualTo("3");
            FakeCall shared = h.lastCall();
            assertThat(shared.cancelled()).isFalse();
            assertThat(patient.response().isDone()).isFalse();

            shared.reply("new");
            assertThat(answer(patient).body()).isEqualTo(mistReply("new"));
            assertThat(h.calls).hasSize(2);
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void theOnlyWaitersDeadlineEndingEndsTheSharedCall() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            Forwarder.Exchange hurried = h.getState(0, Duration.ofMillis(500));
            h.advance(Duration.ofMillis(500));
            assertThat(answer(hurried).status()).isEqualTo(504);
            h.runPending();
            assertThat(h.onlyCall().cancelled()).as("nobody waits for it any more").isTrue();

            Forwarder.Exchange next = h.getState();
            assertThat(h.calls).as("a new caller starts a call of its own").hasSize(2);
            h.lastCall().reply("fresh");
            assertThat(answer(next).body()).isEqualTo(mistReply("fresh"));
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void theLastOfSeveralWaitersLeavingByDeadlineEndsTheSharedCall() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            Forwarder.Exchange first = h.getState(0, Duration.ofMillis(300));
            Forwarder.Exchange second = h.getState(0, Duration.ofMillis(600));
            h.advance(Duration.ofMillis(300));
            assertThat(answer(first).decision()).isEqualTo("rejected; reason=caller-deadline");
            h.runPending();
            assertThat(h.onlyCall().cancelled()).as("one waiter is left").isFalse();
            h.advance(Duration.ofMillis(300));
            assertThat(answer(second).decision()).isEqualTo("rejected; reason=caller-deadline");
            h.runPending();
            assertThat(h.onlyCall().cancelled()).isTrue();
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void aJoinerOnAnotherEventLoopGetsTheAnswerOnItsOwnLoop() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            int other = h.loop();
            Forwarder.Exchange starter = h.getState();
            Forwarder.Exchange remote = h.getState(other, h.config.timeout());
            assertThat(h.onlyCall().loop).isSameAs(h.loops.get(0).eventLoop());

            h.onlyCall().reply("shared");
            assertThat(answer(starter).decision()).isEqualTo("proxied");
            assertThat(remote.response().isDone()).as("not until its own loop runs the hop").isFalse();
            h.runPending();
            Answer a = answer(remote);
            assertThat(a.decision()).isEqualTo("coalesced");
            assertThat(a.body()).isEqualTo(mistReply("shared"));
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void aCallerGoingAwayAfterTheAnswerChangesNothing() throws Exception {
        try (ReadRouteHarness h = new ReadRouteHarness(ROUTE)) {
            Forwarder.Exchange a = h.getState();
            Forwarder.Exchange b = h.getState();
            h.onlyCall().reply("done");
            a.cancel();
            b.cancel();
            h.runPending();
            assertThat(h.onlyCall().cancelled()).isFalse();
            assertThat(answer(a).decision()).isEqualTo("proxied");
            assertThat(answer(b).decision()).isEqualTo("coalesced");
            assertThat(h.finishedClean()).isTrue();
        }
    }
}
