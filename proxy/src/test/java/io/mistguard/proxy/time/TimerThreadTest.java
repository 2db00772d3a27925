package io.mistguard.proxy.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The invalidation queue's timer thread: tasks run on it in due order (arrival order among equals),
 * never inline; a cancelled task never runs; a failing task does not stop it; once stopped it
 * rejects new tasks. Real time, kept to a few milliseconds: the thread is the clock here.
 */
class TimerThreadTest {

    private final TimerThread timers = new TimerThread("timer-thread-test");

    @AfterEach
    void stop() throws InterruptedException {
        timers.shutdownNow();
        assertThat(timers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void tasksRunOnTheTimerThreadInDueOrderAndArrivalOrderAmongEquals() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(4);
        timers.schedule(() -> { ran.add("late"); all.countDown(); }, 40, TimeUnit.MILLISECONDS);
        timers.schedule(() -> { ran.add("first"); all.countDown(); }, 0, TimeUnit.MILLISECONDS);
        timers.schedule(() -> { ran.add("second"); all.countDown(); }, 0, TimeUnit.MILLISECONDS);
        timers.schedule(() -> { ran.add(Thread.currentThread().getName()); all.countDown(); }, 10, TimeUnit.MILLISECONDS);
        assertThat(all.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).containsExactly("first", "second", "timer-thread-test", "late");
    }

    @Test
    void aTaskScheduledFromTheTimerThreadRunsAfterTheCurrentOneNotInsideIt() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        timers.schedule(() -> {
            timers.schedule(() -> { ran.add("inner"); done.countDown(); }, 0, TimeUnit.MILLISECONDS);
            ran.add("outer");
        }, 0, TimeUnit.MILLISECONDS);
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).containsExactly("outer", "inner");
    }

    @Test
    void aCancelledTaskNeverRunsAndAFailingOneDoesNotStopTheThread() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        timers.schedule(() -> ran.add("cancelled"), 20, TimeUnit.MILLISECONDS).cancel();
        timers.schedule(() -> {
            throw new IllegalStateException("a broken task (expected in this test)");
        }, 0, TimeUnit.MILLISECONDS);
        CountDownLatch after = new CountDownLatch(1);
        timers.schedule(() -> { ran.add("after"); after.countDown(); }, 40, TimeUnit.MILLISECONDS);
        assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).containsExactly("after");
    }

    @Test
    void aStoppedTimerRejectsNewTasks() throws InterruptedException {
        timers.shutdownNow();
        assertThat(timers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> timers.schedule(() -> {}, 0, TimeUnit.MILLISECONDS))
                .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("timer-thread-test");
    }
}
