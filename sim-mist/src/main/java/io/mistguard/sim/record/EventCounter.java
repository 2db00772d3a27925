package io.mistguard.sim.record;

import java.time.Duration;

/**
 * A count of events that a test can wait on: {@link #increment()} wakes every {@link #await} caller.
 * Thread-safe: event loops count, test threads read and wait.
 */
final class EventCounter {

    private long count;

    synchronized void increment() {
        count++;
        notifyAll();
    }

    synchronized long get() {
        return count;
    }

    synchronized void reset() {
        count = 0;
    }

    /** Waits until the count reaches {@code n}; false on timeout. */
    synchronized boolean await(long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
