package io.mistguard.proxy.soak;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Measures how long its JVM was not scheduled: a thread that asks to sleep {@value #TICK_MILLIS} ms
 * and takes every wake-up more than {@value #SLACK_MILLIS} ms late as a stall. The part of a stall
 * the JVM's garbage collectors account for is the JVM's own; the rest is the machine not running it
 * (the soak runs at {@code nice 19} beside other builds) and is reported as excusable. A caller's
 * wait is only as honest as the clocks of the processes involved, so the budget check grants the
 * excusable stalls of the test JVM and of mistguard's that overlap a late request, and reports how
 * often it had to. The soak's JVM and mistguard's each run one. Thread-safe.
 */
final class StallMonitor implements AutoCloseable {

    static final long TICK_MILLIS = 5;
    static final long SLACK_MILLIS = 20;

    /** Where a stall goes: from, to and excusable nanoseconds. */
    interface Sink {
        void stall(long from, long to, long excusable);
    }

    private final Thread thread;
    private volatile boolean closed;

    StallMonitor(String name, Sink sink) {
        thread = new Thread(() -> run(sink), name);
        thread.setDaemon(true);
        thread.setPriority(Thread.MAX_PRIORITY);
        thread.start();
    }

    /** A monitor of this JVM that writes to {@code log}. */
    static StallMonitor into(StallLog log) {
        return new StallMonitor("soak-stall-monitor", log::add);
    }

    private void run(Sink sink) {
        long expected = System.nanoTime() + TICK_MILLIS * 1_000_000;
        long gcBefore = gcMillis();
        while (!closed) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            long late = now - expected;
            long gc = gcMillis();
            if (late > SLACK_MILLIS * 1_000_000) {
                sink.stall(expected, now, Math.max(0, late - (gc - gcBefore) * 1_000_000));
            }
            gcBefore = gc;
            expected = now + TICK_MILLIS * 1_000_000;
        }
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
