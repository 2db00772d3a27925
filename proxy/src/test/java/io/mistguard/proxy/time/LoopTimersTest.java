package io.mistguard.proxy.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link LoopTimers}: timeouts run at their own deadline on the loop's (fake) clock, in order, once. */
class LoopTimersTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final MockTicker time = Ticker.newMockTicker();
    private final EmbeddedChannel channel = EmbeddedChannel.builder().ticker(time).build();
    private final EventLoop loop = channel.eventLoop();
    private final List<String> ran = new ArrayList<>();

    private LoopTimer arm(String name, long delayNanos) {
        return LoopTimers.schedule(loop, LoopTimers.Kind.REQUEST_DEADLINE, () -> ran.add(name), delayNanos);
    }

    private void advance(long nanos) {
        time.advance(nanos, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void aTimeoutRunsAtItsDeadlineNotBefore() {
        arm("a", 100 * MS);
        advance(100 * MS - 1);
        assertThat(ran).isEmpty();
        advance(1);
        assertThat(ran).containsExactly("a");
        advance(1000 * MS);
        assertThat(ran).containsExactly("a");
    }

    @Test
    void timeoutsOfOneLengthArmedLaterRunLater() {
        arm("a", 100 * MS);
        advance(10 * MS);
        arm("b", 100 * MS);
        advance(90 * MS);
        assertThat(ran).containsExactly("a");
        advance(10 * MS);
        assertThat(ran).containsExactly("a", "b");
    }

    @Test
    void aCancelledHeadDoesNotHoldBackTheNextTimeout() {
        LoopTimer a = arm("a", 100 * MS);
        advance(10 * MS);
        arm("b", 100 * MS);
        a.cancel();
        advance(90 * MS); // a's wake-up comes and finds b not yet due
        assertThat(ran).isEmpty();
        advance(10 * MS);
        assertThat(ran).containsExactly("b");
    }

    @Test
    void cancellingTwiceOrAfterTheRunDoesNothing() {
        LoopTimer a = arm("a", 5 * MS);
        LoopTimer b = arm("b", 5 * MS);
        b.cancel();
        b.cancel();
        advance(5 * MS);
        a.cancel();
        assertThat(ran).containsExactly("a");
        assertThat(LoopTimers.pending(loop)).isZero();
    }

    @Test
    void aShorterTimeoutInTheSameLaneRunsFirst() {
        // 200 ms and 140 ms share the power of two [2^27, 2^28) ns: the later arming goes before.
        arm("long", 200 * MS);
        advance(1 * MS);
        arm("short", 140 * MS);
        assertThat(LoopTimers.pending(loop)).isEqualTo(2);
        advance(140 * MS);
        assertThat(ran).containsExactly("short");
        advance(60 * MS);
        assertThat(ran).containsExactly("short", "long");
    }

    @Test
    void timeoutsOfDifferentLengthsRunInDeadlineOrder() {
        arm("2s", 2000 * MS);
        arm("1s", 1000 * MS);
        arm("10ms", 10 * MS);
        advance(3000 * MS);
        assertThat(ran).containsExactly("10ms", "1s", "2s");
    }

    @Test
    void anArmingThatWouldPassTooManyGoesToTheSortedSetAndStillRunsOnTime() {
        for (int i = 0; i < LoopTimers.MAX_INSERT_STEPS + 5; i++) {
            arm("long" + i, 200 * MS);
        }
        arm("short", 140 * MS); // the same lane as 200 ms, due before all of them
        assertThat(LoopTimers.unordered(loop)).isEqualTo(1);
        assertThat(LoopTimers.pending(loop)).isEqualTo(LoopTimers.MAX_INSERT_STEPS + 6);
        advance(140 * MS);
        assertThat(ran).containsExactly("short");
        advance(60 * MS);
        assertThat(ran).hasSize(LoopTimers.MAX_INSERT_STEPS + 6);
        assertThat(LoopTimers.pending(loop)).isZero();
    }

    @Test
    void anEmptiedLaneLeavesTheLoopNothingToWakeUpFor() {
        LoopTimer a = arm("a", 100 * MS);
        LoopTimer b = arm("b", 100 * MS);
        a.cancel();
        assertThat(channel.runScheduledPendingTasks()).as("b's wake-up is still due").isPositive();
        b.cancel();
        assertThat(channel.runScheduledPendingTasks()).isEqualTo(-1);
    }

    @Test
    void anAttemptCutToItsRequestsDeadlineHasALaneOfItsOwn() {
        int requests = LoopTimers.MAX_INSERT_STEPS + 5;
        for (int i = 0; i < requests; i++) {
            arm("request" + i, 200 * MS);
        }
        // The first request's attempt, cut to what is left of its budget: due before every other
        // request's deadline, yet first in the attempts' lane, so it needs no task of its own.
        advance(60 * MS);
        LoopTimers.schedule(loop, LoopTimers.Kind.ATTEMPT, () -> ran.add("attempt"), 140 * MS - 1);
        assertThat(LoopTimers.unordered(loop)).isZero();
        assertThat(LoopTimers.pending(loop)).isEqualTo(requests + 1);
        advance(140 * MS - 1);
        assertThat(ran).containsExactly("attempt");
    }

    @Test
    void equalDeadlinesRunInArmingOrder() {
        for (int i = 0; i < 5; i++) {
            arm("t" + i, 50 * MS);
        }
        advance(50 * MS);
        assertThat(ran).containsExactly("t0", "t1", "t2", "t3", "t4");
    }

    @Test
    void aFailingTaskDoesNotStopTheOthers() {
        LoopTimers.schedule(loop, LoopTimers.Kind.REQUEST_DEADLINE, () -> {
            throw new IllegalStateException("boom");
        }, 10 * MS);
        arm("after", 10 * MS);
        advance(10 * MS);
        assertThat(ran).containsExactly("after");
    }

    @Test
    void aTaskMayArmAndCancelTimeoutsOfItsOwnLane() {
        LoopTimer[] victim = new LoopTimer[1];
        LoopTimers.schedule(loop, LoopTimers.Kind.REQUEST_DEADLINE, () -> {
            ran.add("first");
            victim[0].cancel();
            arm("rearmed", 10 * MS);
        }, 10 * MS);
        victim[0] = arm("victim", 12 * MS);
        advance(10 * MS);
        advance(2 * MS);
        assertThat(ran).containsExactly("first");
        advance(8 * MS);
        assertThat(ran).containsExactly("first", "rearmed");
    }

    @Test
    void aDelayOfZeroOrLessRunsOnTheNextTurnNotInline() {
        arm("now", 0);
        arm("past", -5 * MS);
        assertThat(ran).isEmpty();
        channel.runPendingTasks();
        assertThat(ran).containsExactlyInAnyOrder("now", "past");
    }

    @Test
    void aTimeoutArmedForAnInstantRunsThenAsOneArmedForTheDelayToIt() {
        advance(7 * MS);
        long now = loop.ticker().nanoTime();
        LoopTimers.scheduleAt(loop, LoopTimers.Kind.REQUEST_DEADLINE, () -> ran.add("at"), now + 100 * MS);
        arm("after", 100 * MS); // the same instant, armed second
        advance(100 * MS - 1);
        assertThat(ran).isEmpty();
        advance(1);
        assertThat(ran).containsExactly("at", "after");
    }

    @Test
    void aTimeoutArmedForAnInstantPassedRunsOnTheNextTurnAfterWhatWasDueBeforeIt() {
        arm("early", 1 * MS);
        time.advance(50, TimeUnit.MILLISECONDS); // the loop is late: "early" is due and has not run
        long now = loop.ticker().nanoTime();
        LoopTimers.scheduleAt(loop, LoopTimers.Kind.REQUEST_DEADLINE, () -> ran.add("passed"), now - 40 * MS);
        assertThat(ran).isEmpty();
        channel.runPendingTasks();
        channel.runScheduledPendingTasks();
        assertThat(ran).containsExactly("early", "passed");
    }

    @Test
    void loopsOnOneThreadKeepTheirTimeoutsApart() {
        MockTicker otherTime = Ticker.newMockTicker();
        EmbeddedChannel other = EmbeddedChannel.builder().ticker(otherTime).build();
        arm("here", 10 * MS);
        LoopTimers.schedule(other.eventLoop(), LoopTimers.Kind.REQUEST_DEADLINE, () -> ran.add("there"), 10 * MS);
        advance(10 * MS);
        assertThat(ran).containsExactly("here");
        otherTime.advance(10, TimeUnit.MILLISECONDS);
        other.runScheduledPendingTasks();
        assertThat(ran).containsExactly("here", "there");
        other.finishAndReleaseAll();
    }

    @Test
    void armingAndCancellingOffTheLoopAreSafe() throws Exception {
        DefaultEventLoop real = new DefaultEventLoop();
        try {
            CountDownLatch fired = new CountDownLatch(1);
            LoopTimer cancelled = LoopTimers.schedule(real, LoopTimers.Kind.REQUEST_DEADLINE, () -> ran.add("cancelled"), Duration.ofMillis(50).toNanos());
            cancelled.cancel();
            LoopTimers.schedule(real, LoopTimers.Kind.REQUEST_DEADLINE, fired::countDown, MS);
            // On the loop: a lane timeout, cancelled from this thread.
            LoopTimer[] onLoop = new LoopTimer[1];
            real.submit(() -> onLoop[0] = LoopTimers.schedule(real, LoopTimers.Kind.REQUEST_DEADLINE, () -> ran.add("lane"), Duration.ofMillis(50).toNanos()))
                    .sync();
            onLoop[0].cancel();
            assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
            real.schedule(() -> { }, 100, TimeUnit.MILLISECONDS).sync();
            assertThat(ran).isEmpty();
        } finally {
            real.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    // Order across kinds: what loop.schedule did, deadline first, then arming order.

    @Test
    void timeoutsOfDifferentKindsDueAtOneInstantRunInArmingOrder() {
        // A cancelled head leaves the deadline lane's history behind; the tie must not depend on it.
        LoopTimer c = arm("c-deadline", 1000 * MS);
        advance(100 * MS);
        arm("a-deadline", 1000 * MS);
        advance(50 * MS);
        c.cancel();
        advance(450 * MS);
        LoopTimers.schedule(loop, LoopTimers.Kind.QUEUE_WAIT, () -> ran.add("b-queue"), 500 * MS);
        advance(500 * MS);
        assertThat(ran).containsExactly("a-deadline", "b-queue");
    }

    @Test
    void aLateLoopRunsTheDueTimeoutsOfAllKindsByDeadline() {
        arm("800", 800 * MS);
        arm("1000", 1000 * MS);
        LoopTimers.schedule(loop, LoopTimers.Kind.ATTEMPT, () -> ran.add("900"), 900 * MS);
        LoopTimers.schedule(loop, LoopTimers.Kind.BACKOFF, () -> ran.add("850"), 850 * MS);
        time.advance(1100, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(ran).containsExactly("800", "850", "900", "1000");
    }

    @Test
    void aSortedSetTimeoutKeepsItsPlaceAmongTheLanes() {
        for (int i = 0; i < LoopTimers.MAX_INSERT_STEPS + 1; i++) {
            arm("long" + i, 200 * MS);
        }
        arm("set", 140 * MS);
        LoopTimers.schedule(loop, LoopTimers.Kind.ATTEMPT, () -> ran.add("before"), 139 * MS);
        LoopTimers.schedule(loop, LoopTimers.Kind.ATTEMPT, () -> ran.add("after"), 141 * MS);
        time.advance(150, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(ran).containsExactly("before", "set", "after");
    }

    @Test
    void manyDueTimeoutsRunInBatchesAndAllInOrder() {
        int count = 3 * LoopTimers.MAX_RUN_PER_WAKEUP + 7;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            arm("t" + i, 10 * MS);
            expected.add("t" + i);
        }
        time.advance(10, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(ran).isEqualTo(expected);
    }

    // Threads, shutdown, and what the loop does to its tasks.

    @Test
    void aDueTimeoutCancelledOffTheLoopDoesNotRun() throws Exception {
        DefaultEventLoop real = new DefaultEventLoop();
        try {
            List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch firstRunning = new CountDownLatch(1);
            CountDownLatch cancelled = new CountDownLatch(1);
            LoopTimer[] second = new LoopTimer[1];
            real.submit(() -> {
                LoopTimers.schedule(real, LoopTimers.Kind.REQUEST_DEADLINE, () -> {
                    seen.add("first");
                    firstRunning.countDown();
                    await(cancelled);
                }, MS);
                second[0] = LoopTimers.schedule(real, LoopTimers.Kind.REQUEST_DEADLINE, () -> seen.add("second"), MS);
            }).sync();
            assertThat(firstRunning.await(5, TimeUnit.SECONDS)).isTrue();
            second[0].cancel(); // both are due; the loop is busy with the first
            cancelled.countDown();
            real.submit(() -> { }).sync();
            assertThat(seen).containsExactly("first");
        } finally {
            real.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void cancellingOffTheLoopAfterItShutDownDoesNotThrow() throws Exception {
        DefaultEventLoop real = new DefaultEventLoop();
        LoopTimer[] timer = new LoopTimer[1];
        real.submit(() -> timer[0] = LoopTimers.schedule(real, LoopTimers.Kind.REQUEST_DEADLINE, () -> { },
                Duration.ofSeconds(10).toNanos())).sync();
        real.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        timer[0].cancel();
    }

    @Test
    void timeoutsWhoseWakeUpTheLoopCancelledAreDroppedAndNewOnesStillRun() {
        arm("x", 100 * MS);
        channel.close(); // an embedded loop's close cancels its scheduled tasks, as a loop's shutdown does
        arm("y", 100 * MS);
        advance(200 * MS);
        assertThat(ran).as("loop.schedule's x would be gone too").containsExactly("y");
    }

    @Test
    void aDelayOfZeroArmedWhileTheLoopIsLateRunsAfterWhatWasDueBeforeIt() {
        arm("early", 1 * MS);
        time.advance(50, TimeUnit.MILLISECONDS); // the loop is late: "early" is due and has not run
        LoopTimers.schedule(loop, LoopTimers.Kind.BACKOFF, () -> ran.add("now"), 0);
        LoopTimers.schedule(loop, LoopTimers.Kind.ATTEMPT, () -> ran.add("later"), 10 * MS);
        advance(20 * MS);
        assertThat(ran).containsExactly("early", "now", "later");
    }

    @Test
    void aDelayOfZeroWaitsBehindAFullBatchOfOverdueTimeouts() {
        int overdue = LoopTimers.MAX_RUN_PER_WAKEUP + 1;
        for (int i = 0; i < overdue; i++) {
            arm("t" + i, 10 * MS);
        }
        time.advance(20, TimeUnit.MILLISECONDS);
        arm("now", 0);
        channel.runScheduledPendingTasks();
        assertThat(ran).hasSize(overdue + 1).last().isEqualTo("now");
    }

    @Test
    void aDelayPastTheEndOfTimeNeverRunsAndHoldsNothingBack() {
        time.advance(1, TimeUnit.SECONDS);
        arm("forever", Long.MAX_VALUE);
        arm("almost forever", Long.MAX_VALUE - 100);
        LoopTimers.schedule(loop, LoopTimers.Kind.ATTEMPT, () -> ran.add("soon"), 10 * MS);
        advance(20 * MS);
        assertThat(ran).containsExactly("soon");
    }

    @Test
    void aThreadForgetsLoopsWithNothingArmed() {
        EmbeddedChannel other = EmbeddedChannel.builder().ticker(Ticker.newMockTicker()).build();
        LoopTimers.schedule(other.eventLoop(), LoopTimers.Kind.REQUEST_DEADLINE, () -> { }, MS).cancel();
        LoopTimer held = arm("held", 10 * MS); // the thread moves on to this test's loop
        LoopTimers.schedule(other.eventLoop(), LoopTimers.Kind.REQUEST_DEADLINE, () -> { }, MS).cancel();
        assertThat(LoopTimers.remembers(loop)).as("a loop with a timeout armed is kept").isTrue();
        held.cancel();
        EmbeddedChannel third = EmbeddedChannel.builder().ticker(Ticker.newMockTicker()).build();
        LoopTimers.schedule(third.eventLoop(), LoopTimers.Kind.REQUEST_DEADLINE, () -> { }, MS).cancel();
        assertThat(LoopTimers.remembers(loop)).isFalse();
        assertThat(LoopTimers.remembers(other.eventLoop())).isFalse();
        other.finishAndReleaseAll();
        third.finishAndReleaseAll();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
