package io.mistguard.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.AdmissionConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The admission pool's bookkeeping: slots, the bounded queue, hand-over in order, and giving up. */
class AdmissionTest {

    private final Admission pool = new Admission("mist", new AdmissionConfig(2, 2, Duration.ofSeconds(1)));
    private final List<String> granted = new ArrayList<>();

    private Admission.Waiter waiter(String name) {
        return new Admission.Waiter(() -> granted.add(name));
    }

    @Test
    void admitsUpToTheLimitThenQueuesThenRejectsAtOnce() {
        assertThat(pool.acquire(waiter("a"))).isEqualTo(Admission.Result.ADMITTED);
        assertThat(pool.acquire(waiter("b"))).isEqualTo(Admission.Result.ADMITTED);
        assertThat(pool.acquire(waiter("c"))).isEqualTo(Admission.Result.QUEUED);
        assertThat(pool.acquire(waiter("d"))).isEqualTo(Admission.Result.QUEUED);
        assertThat(pool.acquire(waiter("e"))).isEqualTo(Admission.Result.REJECTED);

        assertThat(pool.snapshot()).isEqualTo(new AdmissionSnapshot("mist", 2, 2, 1));
        assertThat(granted).isEmpty();
    }

    @Test
    void aFreedSlotGoesToTheOldestWaiter() {
        pool.acquire(waiter("a"));
        pool.acquire(waiter("b"));
        pool.acquire(waiter("c"));
        pool.acquire(waiter("d"));

        pool.release();
        assertThat(granted).containsExactly("c");
        pool.release();
        assertThat(granted).containsExactly("c", "d");
        assertThat(pool.snapshot().inFlight()).isEqualTo(2);
        assertThat(pool.snapshot().queued()).isZero();
    }

    @Test
    void aWaiterThatGivesUpLeavesTheQueueAndIsSkipped() {
        pool.acquire(waiter("a"));
        pool.acquire(waiter("b"));
        Admission.Waiter c = waiter("c");
        pool.acquire(c);
        pool.acquire(waiter("d"));

        assertThat(c.abandon(pool)).isTrue();
        assertThat(pool.snapshot().queued()).isEqualTo(1);
        assertThat(pool.acquire(waiter("e"))).as("its place is free again").isEqualTo(Admission.Result.QUEUED);

        pool.release();
        assertThat(granted).containsExactly("d");
    }

    @Test
    void aGrantedWaiterCannotAbandonAndOwnsItsSlot() {
        pool.acquire(waiter("a"));
        pool.acquire(waiter("b"));
        Admission.Waiter c = waiter("c");
        pool.acquire(c);
        pool.release();

        assertThat(c.abandon(pool)).isFalse();
        assertThat(pool.snapshot().inFlight()).isEqualTo(2);
    }

    @Test
    void slotsFreedWithNobodyWaitingAreSimplyFree() {
        pool.acquire(waiter("a"));
        pool.release();
        assertThat(pool.snapshot()).isEqualTo(new AdmissionSnapshot("mist", 0, 0, 0));
    }

    @Test
    void underContentionNoSlotIsLostAndTheLimitHolds() throws Exception {
        Admission shared = new Admission("mist", new AdmissionConfig(3, 10_000, Duration.ofSeconds(1)));
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger maxHolding = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        int threads = 8;
        int perThread = 2_000;
        CountDownLatch allServed = new CountDownLatch(threads * perThread);
        Runnable use = () -> {
            maxHolding.accumulateAndGet(holding.incrementAndGet(), Math::max);
            served.incrementAndGet();
            holding.decrementAndGet();
            allServed.countDown();
            shared.release();
        };
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(started(() -> {
                for (int i = 0; i < perThread; i++) {
                    if (shared.acquire(new Admission.Waiter(use)) == Admission.Result.ADMITTED) {
                        use.run();
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }

        assertThat(allServed.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(served).hasValue(threads * perThread);
        assertThat(maxHolding.get()).isLessThanOrEqualTo(3);
        assertThat(shared.snapshot()).isEqualTo(new AdmissionSnapshot("mist", 0, 0, 0));
    }

    @Test
    void grantCallbackThatReleasesInlineDoesNotRecurseIntoStackOverflow() {
        int waiters = 50_000;
        Admission pool = new Admission("mist", new AdmissionConfig(1, waiters, Duration.ofSeconds(1)));
        AtomicInteger granted = new AtomicInteger();
        assertThat(pool.acquire(new Admission.Waiter(() -> { }))).isEqualTo(Admission.Result.ADMITTED);
        for (int i = 0; i < waiters; i++) {
            Admission.Waiter waiter = new Admission.Waiter(() -> {
                granted.incrementAndGet();
                pool.release(); // done at once, on the granting thread
            });
            assertThat(pool.acquire(waiter)).isEqualTo(Admission.Result.QUEUED);
        }

        pool.release();

        assertThat(granted).hasValue(waiters);
        assertThat(pool.snapshot()).isEqualTo(new AdmissionSnapshot("mist", 0, 0, 0));
    }

    private static Thread started(Runnable work) {
        Thread thread = new Thread(work);
        thread.start();
        return thread;
    }
}
