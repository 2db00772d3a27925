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
    void anArmingThatWouldPassTooManyTakesATaskOfItsOwnAndStillRunsOnTime() {
        for (int i = 0; i < LoopTimers.MAX_INSERT_STEPS + 5; i++) {
            arm("long" + i, 200 * MS);
        }
        arm("short", 140 * MS); // the same lane as 200 ms, due before all of them
        assertThat(LoopTimers.pending(loop)).isEqualTo(LoopTimers.MAX_INSERT_STEPS + 5);
        advance(140 * MS);
        assertThat(ran).containsExactly("short");
        advance(60 * MS);
        assertThat(ran).hasSize(LoopTimers.MAX_INSERT_STEPS + 6);
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
}
