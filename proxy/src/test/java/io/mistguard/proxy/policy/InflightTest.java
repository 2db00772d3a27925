package io.mistguard.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The attempts-in-flight view: what an operator looks for first comes first. */
class InflightTest {

    @Test
    void attemptsAreListedOldestFirstUntilRemoved() {
        Inflight inflight = new Inflight();
        InflightAttempt newer = new InflightAttempt("get-state", 1, 2_000, 9_000);
        InflightAttempt older = new InflightAttempt("config-write", 2, 1_000, 9_000);
        inflight.add(newer);
        inflight.add(older);

        assertThat(inflight.list(5_000)).containsExactly(older, newer);
        assertThat(older.age(5_000)).isEqualTo(Duration.ofNanos(4_000));
        assertThat(older.untilDeadline(10_000)).isEqualTo(Duration.ofNanos(-1_000));

        inflight.remove(older);
        assertThat(inflight.list(5_000)).containsExactly(newer);
    }

    @Test
    void slotsFreedByFinishedAttemptsAreReusedAndTheRegisterGrowsPastItsFirstSize() {
        Inflight inflight = new Inflight();
        List<InflightAttempt> live = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            InflightAttempt attempt = new InflightAttempt("r", 1, i, 1_000);
            inflight.add(attempt);
            live.add(attempt);
            if (i % 3 == 0) {
                inflight.remove(live.remove(0)); // finished in between: its slot goes to a later attempt
            }
        }

        assertThat(inflight.list(1_000)).containsExactlyInAnyOrderElementsOf(live);
        for (InflightAttempt attempt : live) {
            inflight.remove(attempt);
        }
        assertThat(inflight.list(1_000)).isEmpty();
    }

    @Test
    void removingAnAttemptTwiceOrOneNeverAddedChangesNothing() {
        Inflight inflight = new Inflight();
        InflightAttempt kept = new InflightAttempt("r", 1, 0, 1_000);
        InflightAttempt gone = new InflightAttempt("r", 1, 0, 1_000);
        inflight.add(gone);
        inflight.remove(gone);
        inflight.add(kept); // takes the slot gone left

        inflight.remove(gone);
        inflight.remove(new InflightAttempt("r", 1, 0, 1_000));

        assertThat(inflight.list(1_000)).containsExactly(kept);
    }

    @Test
    void attemptsOfEveryLoopAreListedFromAnotherThread() throws Exception {
        Inflight inflight = new Inflight();
        CountDownLatch added = new CountDownLatch(2);
        CountDownLatch listed = new CountDownLatch(1);
        List<Thread> loops = new ArrayList<>();
        for (String route : List.of("a", "b")) {
            Thread loop = new Thread(() -> {
                InflightAttempt attempt = new InflightAttempt(route, 1, 0, 1_000);
                inflight.add(attempt);
                added.countDown();
                try {
                    listed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inflight.remove(attempt);
            });
            loop.start();
            loops.add(loop);
        }
        assertThat(added.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(inflight.list(1_000)).extracting(InflightAttempt::route).containsExactlyInAnyOrder("a", "b");
        listed.countDown();
        for (Thread loop : loops) {
            loop.join(5_000);
        }
        assertThat(inflight.list(1_000)).isEmpty();
    }
}
