package io.mistguard.proxy.time;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-request timeouts of one event loop (a request's deadline, an upstream attempt's per-try
 * timeout, an admission queue's wait) without one scheduled task each.
 *
 * <p><b>Why.</b> {@code EventLoop.schedule} puts every timer in the loop's priority queue: an
 * allocation, an O(log n) insert and an O(log n) removal when the request finishes first, which it
 * almost always does. Timeouts of one kind (a {@link Kind}) and about one length fall due in the
 * order they were armed. Like Envoy's scaled-range timer manager, this class keeps them in FIFO
 * <i>lanes</i>, one per kind and power of two of nanoseconds, with one scheduled task per lane for
 * the lane's earliest deadline: arming appends to a list, cancelling unlinks from it, both O(1), and the
 * loop's queue sees about one task per lane per timeout length instead of one per request while
 * the lane stays busy. A lane that empties cancels its task, so an idle loop has none pending (and a
 * lane that holds one timeout at a time costs what {@code loop.schedule} does).
 *
 * <p><b>Timing.</b> A timeout runs when its own deadline has passed on the loop's clock
 * ({@code loop.ticker()}, so tests that advance a Netty {@code MockTicker} drive it), exactly as a
 * task given to {@code loop.schedule} would: never early, and late only by as much as the loop is
 * busy. Timeouts of one lane with equal deadlines run in the order they were armed. A lane keeps its
 * list sorted by deadline: a timeout due before the lane's last one (a shorter length in the same
 * power of two: another route's, or one cut short by its request's remaining budget) is inserted
 * from the back; if that would pass more than {@value #MAX_INSERT_STEPS} timeouts, it is given to
 * {@code loop.schedule} instead, so no arming costs more than a bounded number of steps.
 *
 * <p><b>Threads.</b> Lanes belong to their loop and are touched only on it. {@link #schedule}
 * called off the loop falls back to {@code loop.schedule}; {@link LoopTimer#cancel} called off the
 * loop hands the unlinking to the loop. Both are therefore safe from any thread, and cheap on the
 * loop, where mistguard calls them.
 *
 * <p><b>Errors.</b> A task that throws is logged at WARN and does not stop the lane's other
 * timeouts, as Netty treats a scheduled task. If the loop is shutting down, scheduling rejects
 * (Netty's {@code RejectedExecutionException}) as {@code loop.schedule} does.
 */
public final class LoopTimers {

    /** Most timeouts an arming may pass to keep its lane sorted before it takes a task of its own. */
    static final int MAX_INSERT_STEPS = 16;

    private static final Logger log = LoggerFactory.getLogger(LoopTimers.class);

    /** The timers of the loop this thread last armed on, and of any others (tests run many loops on one thread). */
    private static final FastThreadLocal<ThreadTimers> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected ThreadTimers initialValue() {
            return new ThreadTimers();
        }
    };

    /**
     * What a timeout times. Kinds get separate lanes because their deadlines interleave: an upstream
     * attempt's per-try timeout is often cut to its request's deadline, and would otherwise be
     * inserted behind the deadlines of every request queued after it.
     */
    public enum Kind {
        /** A proxied request's total budget (route timeout, or the caller's shorter deadline). */
        REQUEST_DEADLINE,
        /** A caller's own deadline while it waits on a shared (coalesced) read. */
        READ_DEADLINE,
        /** A trigger's budget on the listener for Mist's triggers. */
        TRIGGER_DEADLINE,
        /** One attempt at Mist: the per-try timeout. */
        ATTEMPT,
        /** A wait in an admission pool's queue. */
        QUEUE_WAIT,
        /** The pause before a retry. */
        BACKOFF
    }

    private static final int LANES_PER_KIND = 64;

    private final EventLoop loop;
    private final Lane[] lanes = new Lane[Kind.values().length * LANES_PER_KIND];

    private LoopTimers(EventLoop loop) {
        this.loop = loop;
    }

    /**
     * Runs {@code task} on {@code loop} once {@code delayNanos} have passed on the loop's clock, unless
     * the returned timer is cancelled first.
     *
     * @param kind what the timeout times: it picks the lane
     * @param delayNanos nanoseconds from now; zero or less runs the task on the loop's next turn, never
     *     inline
     * @throws java.util.concurrent.RejectedExecutionException if the loop is shut down
     */
    public static LoopTimer schedule(EventLoop loop, Kind kind, Runnable task, long delayNanos) {
        requireNonNull(kind, "kind");
        requireNonNull(task, "task");
        if (!loop.inEventLoop() || delayNanos <= 0) {
            return LoopTimer.of(loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS));
        }
        return PER_THREAD.get().of(loop).arm(kind, task, delayNanos);
    }

    /** Timeouts armed on {@code loop}'s lanes and not yet run or cancelled (for tests; on the loop). */
    static int pending(EventLoop loop) {
        LoopTimers timers = PER_THREAD.get().of(loop);
        int n = 0;
        for (Lane lane : timers.lanes) {
            for (LoopTimer t = lane == null ? null : lane.head; t != null; t = t.next) {
                n++;
            }
        }
        return n;
    }

    private LoopTimer arm(Kind kind, Runnable task, long delayNanos) {
        int index = kind.ordinal() * LANES_PER_KIND + 63 - Long.numberOfLeadingZeros(delayNanos);
        Lane lane = lanes[index];
        if (lane == null) {
            lane = lanes[index] = new Lane(loop);
        }
        long deadline = loop.ticker().nanoTime() + delayNanos;
        LoopTimer timer = new LoopTimer(loop, task, deadline);
        if (!lane.insert(timer)) {
            timer.fallback = loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }
        return timer;
    }

    /** One loop's timeouts of one power of two in length, sorted by deadline, and the task for the first. */
    static final class Lane implements Runnable {
        private final EventLoop loop;
        private LoopTimer head;
        private LoopTimer tail;
        private ScheduledFuture<?> wakeup;
        private long wakeupAt;

        Lane(EventLoop loop) {
            this.loop = loop;
        }

        /** Links {@code timer} in deadline order; false if that would pass too many (see the class comment). */
        boolean insert(LoopTimer timer) {
            LoopTimer after = tail;
            int steps = 0;
            while (after != null && after.deadline - timer.deadline > 0) {
                if (++steps > MAX_INSERT_STEPS) {
                    return false;
                }
                after = after.prev;
            }
            timer.lane = this;
            timer.prev = after;
            timer.next = after == null ? head : after.next;
            if (timer.next == null) {
                tail = timer;
            } else {
                timer.next.prev = timer;
            }
            if (after == null) {
                head = timer;
                wakeUpBy(timer.deadline);
            } else {
                after.next = timer;
            }
            return true;
        }

        void unlink(LoopTimer timer) {
            if (timer.prev == null) {
                head = timer.next;
            } else {
                timer.prev.next = timer.next;
            }
            if (timer.next == null) {
                tail = timer.prev;
            } else {
                timer.next.prev = timer.prev;
            }
            timer.prev = timer.next = null;
            timer.lane = null;
            if (head == null && wakeup != null) {
                // An empty lane leaves the loop nothing to wake up for. Otherwise the wake-up stays:
                // if it comes before the new head is due, run() sets the next one.
                wakeup.cancel(false);
                wakeup = null;
            }
        }

        /** The lane's wake-up: runs every timeout that is due, then waits for the next one. */
        @Override
        public void run() {
            wakeup = null;
            long now = loop.ticker().nanoTime();
            while (head != null && head.deadline - now <= 0) {
                LoopTimer due = head;
                unlink(due);
                try {
                    due.task.run();
                } catch (Throwable t) {
                    log.warn("a timeout's task failed", t);
                }
            }
            if (head != null) {
                wakeUpBy(head.deadline);
            }
        }

        private void wakeUpBy(long deadline) {
            if (wakeup != null) {
                if (wakeupAt - deadline <= 0) {
                    return;
                }
                wakeup.cancel(false);
            }
            wakeupAt = deadline;
            wakeup = loop.schedule(this, deadline - loop.ticker().nanoTime(), TimeUnit.NANOSECONDS);
        }
    }

    /** The timers per loop that one thread has armed on; the last one used is at hand without a lookup. */
    private static final class ThreadTimers {
        private EventExecutor lastLoop;
        private LoopTimers last;
        private Map<EventExecutor, LoopTimers> others;

        LoopTimers of(EventLoop loop) {
            if (lastLoop == loop) {
                return last;
            }
            if (others == null) {
                others = new WeakHashMap<>();
            }
            if (last != null) {
                others.put(lastLoop, last);
            }
            LoopTimers timers = others.computeIfAbsent(loop, l -> new LoopTimers(loop));
            lastLoop = loop;
            last = timers;
            return timers;
        }
    }
}
