package io.mistguard.proxy.time;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-request timeouts of one event loop (a request's deadline, an upstream attempt's per-try
 * timeout, an admission queue's wait, a retry's backoff) without one scheduled task each.
 *
 * <p><b>Why.</b> {@code EventLoop.schedule} puts every timer in the loop's priority queue: an
 * allocation, an O(log n) insert and an O(log n) removal when the request finishes first, which it
 * almost always does. Timeouts of one {@link Kind} and about one length fall due in the order they
 * were armed. Like Envoy's scaled-range timer manager, this class keeps them in FIFO <i>lanes</i>,
 * one per kind and power of two of nanoseconds: arming appends to a list and cancelling unlinks from
 * it, both O(1). One scheduled task per loop wakes up for the earliest deadline of all lanes, so the
 * loop's queue holds one task, not one per request. When nothing is armed the task is cancelled,
 * so an idle loop has none pending. If the loop itself cancels that task (an {@code EmbeddedChannel}'s
 * close, a shutdown), the timeouts waiting on it are dropped, as the loop's own scheduled tasks are.
 *
 * <p><b>Timing and order.</b> A timeout runs when its own deadline has passed on the loop's clock
 * ({@code loop.ticker()}, so tests that advance a Netty {@code MockTicker} drive it), never early,
 * and late only by as much as the loop is busy. The timeouts of one loop run in the order
 * {@code loop.schedule} would run them: by deadline, then by the order they were armed, across
 * kinds and lanes, also when the loop is late and many are due at once. Relative to tasks given to
 * {@code loop.schedule} directly, due timeouts run in batches of at most {@value #MAX_RUN_PER_WAKEUP},
 * between which the loop does its I/O and other tasks.
 *
 * <p>A lane keeps its list sorted: a timeout due before the lane's last one (a shorter length in the
 * same power of two: another route's, or one cut short by its request's remaining budget) is
 * inserted from the back. If that would pass more than {@value #MAX_INSERT_STEPS} timeouts, it goes
 * into a sorted set instead (O(log n)), so no arming costs more than that.
 *
 * <p><b>Threads.</b> A loop's timeouts are linked, run and unlinked on that loop only.
 * {@link #schedule} called off the loop gives the task to {@code loop.schedule} instead;
 * {@link LoopTimer#cancel} called off the loop marks the timeout so that it does not run and hands
 * the unlinking to the loop. Both are therefore safe from any thread, and cheap on the loop, where
 * mistguard calls them.
 *
 * <p><b>Errors.</b> A task that throws is logged at WARN; the loop's other timeouts go on.
 * ({@code loop.schedule} would keep the exception on the returned future, where nobody looks.) If
 * the loop is shut down, scheduling may reject with Netty's {@code RejectedExecutionException}, as
 * {@code loop.schedule} does.
 */
public final class LoopTimers {

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
        BACKOFF,
        /** A request/response connection's idle check ({@code net/IdleClock}), one per idle period. */
        CONNECTION_IDLE
    }

    /** Most lane entries an arming may pass to keep its lane sorted before it goes to the sorted set. */
    static final int MAX_INSERT_STEPS = 16;

    /** Most timeouts one wake-up runs before the loop gets a turn (Netty checks its task budget per 64). */
    static final int MAX_RUN_PER_WAKEUP = 64;

    private static final int LANES_PER_KIND = 64;

    private static final Comparator<LoopTimer> DUE_ORDER =
            Comparator.comparingLong((LoopTimer t) -> t.deadline).thenComparingLong(t -> t.sequence);

    private static final Logger log = LoggerFactory.getLogger(LoopTimers.class);

    /** The timers of the loop this thread last armed on, and of any others (tests run many loops on one thread). */
    private static final FastThreadLocal<ThreadTimers> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected ThreadTimers initialValue() {
            return new ThreadTimers();
        }
    };

    final EventLoop loop;
    private final Runnable wakeUp = this::runDue;
    private final Lane[] lanes = new Lane[Kind.values().length * LANES_PER_KIND];
    /** The lanes that hold timeouts, in no order; the earliest due is among their heads. */
    private Lane[] busy = new Lane[8];
    private int busyCount;
    /** Timeouts that would have passed too many in their lane (rare). */
    private final TreeSet<LoopTimer> unordered = new TreeSet<>(DUE_ORDER);
    private long sequence;
    private int linked;
    private ScheduledFuture<?> wakeup;
    private long wakeupAt;
    /** runDue() is running: armings leave the wake-up to it. */
    private boolean running;

    private LoopTimers(EventLoop loop) {
        this.loop = loop;
    }

    /**
     * Runs {@code task} on {@code loop} once {@code delayNanos} have passed on the loop's clock, unless
     * the returned timer is cancelled first.
     *
     * @param kind what the timeout times: it picks the lane
     * @param delayNanos nanoseconds from now; zero or less runs the task on the loop's next turn, never
     *     inline, after the timeouts already due; {@code now + delayNanos} past {@code Long.MAX_VALUE}
     *     means never, as with {@code loop.schedule}
     * @throws java.util.concurrent.RejectedExecutionException if the loop is shut down
     */
    public static LoopTimer schedule(EventLoop loop, Kind kind, Runnable task, long delayNanos) {
        requireNonNull(kind, "kind");
        requireNonNull(task, "task");
        if (!loop.inEventLoop()) {
            return new LoopTimer(loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS));
        }
        return PER_THREAD.get().of(loop).arm(kind, task, delayNanos, loop.ticker().nanoTime());
    }

    /**
     * As {@link #schedule}, with the delay up to {@code deadlineNanos} on the loop's clock: the same
     * arithmetic with one clock reading, where a caller that works the delay out itself reads the
     * clock once more (each reading is a vdso call, ~25 ns, on every request's path).
     *
     * @param deadlineNanos when the task is due, on {@code loop.ticker()}'s clock; one passed already
     *     runs the task on the loop's next turn, as a delay of zero does
     */
    public static LoopTimer scheduleAt(EventLoop loop, Kind kind, Runnable task, long deadlineNanos) {
        requireNonNull(kind, "kind");
        requireNonNull(task, "task");
        long now = loop.ticker().nanoTime();
        if (!loop.inEventLoop()) {
            return new LoopTimer(loop.schedule(task, deadlineNanos - now, TimeUnit.NANOSECONDS));
        }
        return PER_THREAD.get().of(loop).arm(kind, task, deadlineNanos - now, now);
    }

    /** Timeouts armed on {@code loop} and not yet run or cancelled (for tests; on the loop's thread). */
    static int pending(EventLoop loop) {
        LoopTimers timers = PER_THREAD.get().find(loop);
        return timers == null ? 0 : timers.linked;
    }

    /** Timeouts armed on {@code loop} that did not fit their lane (for tests; on the loop's thread). */
    static int unordered(EventLoop loop) {
        LoopTimers timers = PER_THREAD.get().find(loop);
        return timers == null ? 0 : timers.unordered.size();
    }

    /** Whether this thread still holds {@code loop}'s timers (for tests). */
    static boolean remembers(EventLoop loop) {
        return PER_THREAD.get().find(loop) != null;
    }

    /** @param now the loop's clock, read by the caller */
    private LoopTimer arm(Kind kind, Runnable task, long delayNanos, long now) {
        if (wakeup != null && wakeup.isCancelled()) {
            discardAll(); // the loop cancelled its scheduled tasks (close): loop.schedule's would be gone too
        }
        long delay = Math.max(0, delayNanos);
        int index = kind.ordinal() * LANES_PER_KIND + (delay == 0 ? 0 : 63 - Long.numberOfLeadingZeros(delay));
        Lane lane = lanes[index];
        if (lane == null) {
            lane = lanes[index] = new Lane();
        }
        // Past the end of time means never, as Netty's deadlineNanos saturates (Netty's tickers start
        // at 0 and only grow).
        long deadline = delay > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + delay;
        LoopTimer timer = new LoopTimer(this, task, deadline, ++sequence);
        boolean wasIdle = lane.head == null;
        if (lane.insert(timer)) {
            if (wasIdle) {
                addBusy(lane);
            }
        } else {
            unordered.add(timer);
            timer.inUnordered = true;
        }
        linked++;
        if (!running && (wakeup == null || deadline - wakeupAt < 0)) {
            wakeUpAt(deadline); // while runDue() runs, it sets the wake-up when it is done
        }
        return timer;
    }

    /** Unlinks a timeout that has not run; on the loop. */
    void cancel(LoopTimer timer) {
        if (!timer.isLinked()) {
            return;
        }
        unlink(timer);
        if (linked == 0 && wakeup != null) {
            wakeup.cancel(false);
            wakeup = null;
        }
    }

    /** The wake-up: runs the due timeouts, earliest first, then waits for the next one. */
    private void runDue() {
        wakeup = null;
        running = true;
        try {
            long now = loop.ticker().nanoTime();
            for (int ran = 0; ; ran++) {
                LoopTimer next = earliest();
                if (next == null) {
                    return;
                }
                if (next.deadline - now > 0 || ran == MAX_RUN_PER_WAKEUP) {
                    wakeUpAt(next.deadline); // past already after a full batch: the loop's next turn
                    return;
                }
                unlink(next);
                if (next.cancelled) {
                    continue; // cancelled off the loop; the unlinking it handed over finds nothing
                }
                try {
                    next.task.run();
                } catch (Throwable t) {
                    log.warn("a timeout's task failed", t);
                }
            }
        } finally {
            running = false;
        }
    }

    /** Whether a thread may forget these timers: none armed, or the loop threw its wake-up away. */
    boolean abandoned() {
        return linked == 0 || (wakeup != null && wakeup.isCancelled());
    }

    /** Unlinks every timeout without running it: the loop cancelled the wake-up they waited on. */
    private void discardAll() {
        for (int i = 0; i < busyCount; i++) {
            busy[i].clear();
            busy[i] = null;
        }
        busyCount = 0;
        for (LoopTimer t : unordered) {
            t.inUnordered = false;
        }
        unordered.clear();
        linked = 0;
        wakeup = null;
    }

    private LoopTimer earliest() {
        LoopTimer best = unordered.isEmpty() ? null : unordered.first();
        for (int i = 0; i < busyCount; i++) {
            LoopTimer head = busy[i].head;
            if (best == null || DUE_ORDER.compare(head, best) < 0) {
                best = head;
            }
        }
        return best;
    }

    private void unlink(LoopTimer timer) {
        if (timer.inUnordered) {
            unordered.remove(timer);
            timer.inUnordered = false;
        } else {
            Lane lane = timer.lane;
            lane.unlink(timer);
            if (lane.head == null) {
                removeBusy(lane);
            }
        }
        linked--;
    }

    private void wakeUpAt(long deadline) {
        // A wake-up here is pending: runDue() clears it first thing, and arm() drops one the loop cancelled.
        if (wakeup != null) {
            if (wakeupAt - deadline <= 0) {
                return;
            }
            wakeup.cancel(false);
        }
        wakeupAt = deadline;
        wakeup = loop.schedule(wakeUp, deadline - loop.ticker().nanoTime(), TimeUnit.NANOSECONDS);
    }

    private void addBusy(Lane lane) {
        if (busyCount == busy.length) {
            busy = Arrays.copyOf(busy, busyCount * 2);
        }
        busy[busyCount++] = lane;
    }

    private void removeBusy(Lane lane) {
        for (int i = 0; i < busyCount; i++) {
            if (busy[i] == lane) {
                busy[i] = busy[--busyCount];
                busy[busyCount] = null;
                return;
            }
        }
    }

    /** One kind's timeouts of one power of two in length, sorted by deadline, then by arming. */
    static final class Lane {
        LoopTimer head;
        private LoopTimer tail;

        /** Links {@code timer} in order; false if that would pass too many (see the class comment). */
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
            } else {
                after.next = timer;
            }
            return true;
        }

        /** Unlinks every timeout of the lane. */
        void clear() {
            for (LoopTimer t = head; t != null; ) {
                LoopTimer next = t.next;
                t.lane = null;
                t.prev = t.next = null;
                t = next;
            }
            head = tail = null;
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
        }
    }

    /**
     * The loops one thread has armed timeouts on; the last one used is at hand without a lookup. A
     * loop with nothing armed (or whose wake-up the loop cancelled) is forgotten when the thread moves
     * on to another, so finished test loops are not kept. That pruning is what frees them: a weak map
     * would not, since each {@code LoopTimers} holds its loop.
     */
    private static final class ThreadTimers {
        private EventExecutor lastLoop;
        private LoopTimers last;
        private Map<EventExecutor, LoopTimers> others;

        LoopTimers of(EventLoop loop) {
            if (lastLoop == loop) {
                return last;
            }
            LoopTimers timers = find(loop);
            if (others != null) {
                others.remove(loop);
                others.values().removeIf(LoopTimers::abandoned);
            }
            if (last != null && !last.abandoned()) {
                if (others == null) {
                    others = new IdentityHashMap<>();
                }
                others.put(lastLoop, last);
            }
            lastLoop = loop;
            last = timers == null ? new LoopTimers(loop) : timers;
            return last;
        }

        LoopTimers find(EventLoop loop) {
            if (lastLoop == loop) {
                return last;
            }
            return others == null ? null : others.get(loop);
        }
    }
}
