package io.mistguard.proxy.time;

import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} on one dedicated daemon thread, for work that may block (file writes) and so
 * must not run on an event loop, yet is started from event loops.
 *
 * <p>{@link #schedule} never waits, from any thread: a task goes onto a lock-free queue and the
 * thread is woken with {@link LockSupport#unpark}. A {@code ScheduledThreadPoolExecutor} guards its
 * queue with a lock, so an event loop that scheduled while the timer thread held it (a thread that
 * lost its core mid-operation holds it for a whole time slice) parked. Only this thread touches the
 * timers' heap; it parks until the earliest one is due or a task arrives. A cancelled timer stays in
 * the heap until its due time and is then dropped. A task that throws is logged and the thread goes
 * on. After {@link #shutdownNow()} new tasks are rejected and those not yet run are dropped.
 */
public final class TimerThread implements Scheduler {

    private static final Logger log = LoggerFactory.getLogger(TimerThread.class);

    private final Queue<Timer> arrivals = new ConcurrentLinkedQueue<>();
    /** Confined to {@link #thread}. */
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;

    public TimerThread(String name) {
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        if (stopped) {
            throw new RejectedExecutionException(thread.getName() + " is stopped");
        }
        Timer timer = new Timer(task, System.nanoTime() + Math.max(0, unit.toNanos(delay)), sequence.getAndIncrement());
        arrivals.add(timer);
        if (Thread.currentThread() != thread) {
            LockSupport.unpark(thread);
        }
        return timer::cancel;
    }

    /** Stops the thread after the task it is running, if any; tasks not yet run are dropped. */
    public void shutdownNow() {
        stopped = true;
        LockSupport.unpark(thread);
    }

    /** Waits for the thread to end after {@link #shutdownNow()}; false on timeout. */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        thread.join(Math.max(1, unit.toMillis(timeout)));
        return !thread.isAlive();
    }

    private void loop() {
        while (!stopped) {
            for (Timer t; (t = arrivals.poll()) != null; ) {
                timers.add(t);
            }
            Timer next = timers.peek();
            long wait = next == null ? Long.MAX_VALUE : next.due - System.nanoTime();
            if (wait <= 0) {
                timers.poll();
                run(next);
            } else if (arrivals.isEmpty()) {
                // A task added after the check above unparks us, so this park returns at once then.
                if (next == null) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, wait);
                }
            }
        }
        arrivals.clear();
        timers.clear();
    }

    private static void run(Timer timer) {
        if (timer.cancelled) {
            return;
        }
        try {
            timer.task.run();
        } catch (Throwable e) { // the thread must outlive a broken task, as an executor's does
            log.error("a task on {} failed", Thread.currentThread().getName(), e);
        }
    }

    /** A task and when it is due; ordered by due time, then by arrival. */
    private static final class Timer implements Comparable<Timer> {
        final Runnable task;
        final long due;
        final long seq;
        volatile boolean cancelled;

        Timer(Runnable task, long due, long seq) {
            this.task = task;
            this.due = due;
            this.seq = seq;
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer o) {
            int byDue = Long.compare(due - o.due, 0);
            return byDue != 0 ? byDue : Long.compare(seq, o.seq);
        }
    }
}
