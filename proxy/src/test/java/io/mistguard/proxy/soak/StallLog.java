package io.mistguard.proxy.soak;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Stretches of time, on the machine's monotonic clock ({@link System#nanoTime()} is
 * {@code CLOCK_MONOTONIC} on Linux, the same in every process), during which a JVM of the soak did
 * not run although it wanted to, each with the part of it that is the machine's doing rather than
 * the JVM's own garbage collection. Keeps the latest {@value #KEEP}. Thread-safe.
 */
final class StallLog {

    private static final int KEEP = 200_000;

    private final Deque<long[]> stalls = new ArrayDeque<>();
    private long worstNanos;
    private long totalNanos;

    /** A stall from {@code from} to {@code to}, {@code excusable} nanoseconds of it not spent in GC. */
    synchronized void add(long from, long to, long excusable) {
        if (stalls.size() == KEEP) {
            stalls.removeFirst();
        }
        stalls.addLast(new long[] {from, to, excusable});
        worstNanos = Math.max(worstNanos, to - from);
        totalNanos += to - from;
    }

    /**
     * The excusable stalled time inside [{@code from}, {@code to}]: of each stall that overlaps it,
     * the overlap, but never more than the stall's excusable part.
     */
    synchronized long excusableWithin(long from, long to) {
        long sum = 0;
        for (long[] s : stalls) {
            long overlap = Math.min(to, s[1]) - Math.max(from, s[0]);
            if (overlap > 0) {
                sum += Math.min(overlap, s[2]);
            }
        }
        return sum;
    }

    synchronized long worstMillis() {
        return worstNanos / 1_000_000;
    }

    synchronized long totalMillis() {
        return totalNanos / 1_000_000;
    }

    synchronized int count() {
        return stalls.size();
    }
}
