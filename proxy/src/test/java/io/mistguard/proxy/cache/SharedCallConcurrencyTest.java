package io.mistguard.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SharedCall}'s waiters across threads: the call's own loop asking {@link SharedCall#wantedAt}
 * while callers on other loops join and leave. Real threads, many short trials; the check is on
 * what each trial ended with, never on time.
 */
class SharedCallConcurrencyTest {

    private static final int TRIALS_PER_BATCH = 2048;
    private static final int BATCHES = 16;

    /**
     * Regression: {@code wantedAt} read the waiter count, found every deadline passed and settled the
     * call with a compare-and-set on that count. A join (with a deadline far ahead) followed by
     * another waiter's leave between the read and the compare-and-set left the count as it was, so
     * the call settled as unwanted with the new waiter in it: a caller whose deadline was far off got
     * the call's "cancelled" answer. Now every join changes the value compared.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aJoinThatALeaveBalancesCannotLetWantedAtSettleACallItsNewWaiterWants() throws Exception {
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            int violations = 0;
            for (int batch = 0; batch < BATCHES && violations == 0; batch++) {
                violations += race(loop);
            }
            assertThat(violations).as("trials where a caller joined a call that wantedAt settled as unwanted")
                                  .isZero();
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** One batch of trials; returns how many ended with a successful join into an unwanted call. */
    private static int race(DefaultEventLoop loop) throws InterruptedException {
        SharedCall[] calls = new SharedCall[TRIALS_PER_BATCH];
        SharedCall.Waiter[] second = new SharedCall.Waiter[TRIALS_PER_BATCH];
        for (int i = 0; i < calls.length; i++) {
            // The starter's own deadline (0) has passed at time 100; the call's own (1 s) has not.
            calls[i] = new SharedCall("key", null, loop, 1_000_000_000L, 0, () -> 100);
            second[i] = calls[i].join(0); // a second waiter whose deadline has passed too
        }
        boolean[] wanted = new boolean[calls.length];
        boolean[] joined = new boolean[calls.length];
        AtomicInteger armed = new AtomicInteger(-1);
        AtomicInteger started = new AtomicInteger(-1);
        Thread callsLoop = new Thread(() -> {
            for (int i = 0; i < calls.length; i++) {
                armed.set(i);
                while (started.get() < i) {
                    Thread.onSpinWait();
                }
                wanted[i] = calls[i].wantedAt(100);
            }
        }, "the call's loop");
        Thread otherLoops = new Thread(() -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < calls.length; i++) {
                while (armed.get() < i) {
                    Thread.onSpinWait();
                }
                started.set(i);
                for (int spin = random.nextInt(8); spin > 0; spin--) {
                    Thread.onSpinWait();
                }
                joined[i] = calls[i].join(Long.MAX_VALUE / 2) != null; // a caller with all the time in the world
                second[i].leave(); // the second waiter's deadline timer runs on its own loop
            }
        }, "the other loops");
        callsLoop.start();
        otherLoops.start();
        callsLoop.join();
        otherLoops.join();
        int violations = 0;
        for (int i = 0; i < calls.length; i++) {
            if (joined[i] && !wanted[i]) {
                violations++;
            }
        }
        return violations;
    }
}
