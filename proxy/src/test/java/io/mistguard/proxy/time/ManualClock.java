package io.mistguard.proxy.time;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * Fake time for tests: a {@link Ticker} that moves only when told to and a {@link Scheduler} whose
 * tasks run only inside {@link #advance(Duration)} (or {@link #runDue()}), in order of due time and,
 * for equal due times, in order of scheduling.
 *
 * <p>Thread-safe: tasks may be scheduled from any thread (a sender completing on another thread, for
 * example), but they always run on the thread that calls {@code advance}, never while the clock's
 * monitor is held, so a task may schedule further tasks.
 */
public final class ManualClock implements Ticker, Scheduler {

    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now;
    private long sequence;

    /** Starts at an arbitrary non-zero reading, so code that treats 0 as "unset" gets caught. */
    public ManualClock() {
        this.now = Duration.ofHours(1).toNanos();
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        requireNonNull(task, "task");
        Task scheduled = new Task(now + Math.max(0, unit.toNanos(delay)), sequence++, task);
        tasks.add(scheduled);
        return () -> cancel(scheduled);
    }

    /** Moves time forward by {@code duration}, running every task that falls due on the way. */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration: " + duration + " (expected: >= 0)");
        }
        long target;
        synchronized (this) {
            target = now + duration.toNanos();
        }
        for (Task next = pollDue(target); next != null; next = pollDue(target)) {
            next.task.run();
        }
        synchronized (this) {
            now = Math.max(now, target);
        }
    }

    /** Runs the tasks that are due now (including ones they schedule with zero delay). */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** The number of tasks scheduled and not yet run or cancelled. */
    public synchronized int pendingTasks() {
        return tasks.size();
    }

    /** The delay until the earliest scheduled task, or {@code null} when none is scheduled. */
    public synchronized Duration nextDelay() {
        Task head = tasks.peek();
        return head == null ? null : Duration.ofNanos(head.due - now);
    }

    private synchronized Task pollDue(long target) {
        Task head = tasks.peek();
        if (head == null || head.due > target) {
            return null;
        }
        tasks.poll();
        now = Math.max(now, head.due);
        return head;
    }

    private synchronized void cancel(Task task) {
        tasks.remove(task);
    }

    private record Task(long due, long sequence, Runnable task) implements Comparable<Task> {
        @Override
        public int compareTo(Task other) {
            int byDue = Long.compare(due, other.due);
            return byDue != 0 ? byDue : Long.compare(sequence, other.sequence);
        }
    }
}
