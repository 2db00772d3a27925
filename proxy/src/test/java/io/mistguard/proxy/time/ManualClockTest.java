package io.mistguard.proxy.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ManualClockTest {

    private final ManualClock clock = new ManualClock();

    @Test
    void timeMovesOnlyWhenAdvanced() {
        long start = clock.nanoTime();
        assertThat(clock.nanoTime()).isEqualTo(start);
        clock.advance(Duration.ofMillis(5));
        assertThat(clock.nanoTime() - start).isEqualTo(Duration.ofMillis(5).toNanos());
    }

    @Test
    void runsDueTasksInTimeOrderThenSchedulingOrder() {
        List<String> ran = new ArrayList<>();
        clock.schedule(() -> ran.add("c"), 30, TimeUnit.MILLISECONDS);
        clock.schedule(() -> ran.add("a"), 10, TimeUnit.MILLISECONDS);
        clock.schedule(() -> ran.add("b"), 10, TimeUnit.MILLISECONDS);
        clock.schedule(() -> ran.add("late"), 31, TimeUnit.MILLISECONDS);

        clock.advance(Duration.ofMillis(30));

        assertThat(ran).containsExactly("a", "b", "c");
        assertThat(clock.pendingTasks()).isEqualTo(1);
        assertThat(clock.nextDelay()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void taskSeesItsOwnDueTimeAndMayScheduleMore() {
        long start = clock.nanoTime();
        List<Long> seenAt = new ArrayList<>();
        clock.schedule(() -> {
            seenAt.add(clock.nanoTime() - start);
            clock.schedule(() -> seenAt.add(clock.nanoTime() - start), 5, TimeUnit.NANOSECONDS);
        }, 10, TimeUnit.NANOSECONDS);

        clock.advance(Duration.ofNanos(100));

        assertThat(seenAt).containsExactly(10L, 15L);
        assertThat(clock.nanoTime() - start).isEqualTo(100);
    }

    @Test
    void cancelledTaskDoesNotRun() {
        List<String> ran = new ArrayList<>();
        Scheduler.Cancellable handle = clock.schedule(() -> ran.add("x"), 1, TimeUnit.SECONDS);
        handle.cancel();
        clock.advance(Duration.ofSeconds(2));
        assertThat(ran).isEmpty();
    }

    @Test
    void zeroDelayTasksRunOnRunDue() {
        List<String> ran = new ArrayList<>();
        clock.schedule(() -> ran.add("now"), 0, TimeUnit.SECONDS);
        assertThat(ran).isEmpty();
        clock.runDue();
        assertThat(ran).containsExactly("now");
    }

    @Test
    void rejectsNegativeAdvance() {
        assertThatThrownBy(() -> clock.advance(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: >= 0");
    }
}
