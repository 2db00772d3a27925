package io.mistguard.proxy.cache;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.time.Ticker;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One call to Mist shared by every caller waiting on the same cache key.
 *
 * <p>The call runs on the event loop of the caller that started it, with at most the route's whole
 * budget from that caller's arrival ({@link #deadline()}), so it always ends by then. Callers on any
 * loop {@linkplain #join(long) join} it until it settles and each gets the same immutable
 * {@link SharedResult}; each keeps its own deadline and may leave earlier.
 *
 * <p>Work ends with its last waiter: the call lives exactly as long as some caller waits for it.
 * When the last one leaves — its own deadline ended, or it went away — the call is cancelled: its
 * connection is closed, its admission slot freed, no further attempt starts, and its breaker permit
 * is released without a verdict (the caller's choice says nothing about Mist). The one call with no
 * caller is a background refresh ({@code while_revalidate}): its starter is a waiter that never
 * leaves, and its budget is the route's {@code per_try_timeout}.
 *
 * <p>Nor does any attempt start, the first or a retry or one after an admission grant, once no
 * waiter still waiting has its own deadline ahead ({@link #wantedAt}): a loop busy past those
 * deadlines may run a backoff or a grant before the waiters' own deadline timers, which would have
 * left the call; the call then ends, and nobody can join it any more.
 *
 * <p>Thread-safe. The waiter count is one atomic {@code long}, the count in the low 32 bits and the
 * number of joins in the high 32 ({@code -1} once settled, cancelled or ended unwanted, so no join
 * can succeed after): every join changes it, so {@link #wantedAt}'s compare-and-set cannot succeed across a join
 * that a leave then balanced (an ABA). Each waiter is a {@link Waiter} on a lock-free list, linked
 * before it counts and marked before it stops counting, so that {@link #wantedAt}, which reads the
 * count first, sees every waiter that count includes. The exchange is touched only on the owning
 * loop; the result is a promise of that loop, and listeners hop to their own loops.
 */
final class SharedCall {

    private static final long SETTLED = -1L;
    /** What one join adds: one to the joins (high half) and one to the waiter count (low half). */
    private static final long JOIN = (1L << 32) + 1;

    private final String key;
    private final InFlightCalls table;
    private final EventLoop loop;
    private final long deadline;
    private final Ticker ticker;
    private final Promise<SharedResult> result;
    private final AtomicLong waiting = new AtomicLong(1);
    /**
     * The starter and every waiter that tried to join, the last first, including those that left or
     * whose join failed (marked as left); never pruned: it lives as long as the call.
     */
    private final AtomicReference<Waiter> waiters = new AtomicReference<>();
    private final Waiter starter;
    /** Set once on the owning loop; volatile for {@link #attemptsStarted} on other loops. */
    private volatile Forwarder.Exchange exchange;
    private boolean cancelled;

    /**
     * A call with its starter as the one waiter; {@code table} may be null for a call nobody joins.
     *
     * @param deadline when the call ends at the latest, on {@code ticker}'s clock
     * @param startersDeadline the starter's own deadline, at most {@code deadline}
     */
    SharedCall(String key, InFlightCalls table, EventLoop loop, long deadline, long startersDeadline, Ticker ticker) {
        this.key = key;
        this.starter = new Waiter(this, startersDeadline);
        this.waiters.set(starter);
        this.table = table;
        this.loop = loop;
        this.deadline = deadline;
        this.ticker = ticker;
        this.result = loop.newPromise();
    }

    /**
     * Starts the call; on the owning loop, once. {@code onSettled} runs there with the result before
     * any waiter sees it (to keep a good reply), and the call leaves the table only after it.
     */
    void start(SharedOrigin origin, ByteBufAllocator alloc, FullHttpRequest request, long arrived,
               boolean commandReply, Consumer<SharedResult> onSettled) {
        Forwarder.Exchange started = origin.start(loop, alloc, request, arrived, deadline - arrived, this::wantedAt);
        exchange = started;
        started.response().addListener((Future<Answer> f) -> {
            SharedResult settled = SharedResult.of(f.getNow(), commandReply, ticker.nanoTime());
            onSettled.accept(settled);
            if (table != null) {
                table.remove(key, this);
            }
            waiting.set(SETTLED);
            result.setSuccess(settled);
        });
        if (cancelled) {
            started.cancel(); // every waiter left while the exchange was being created
        }
    }

    /**
     * Attempts at Mist the call has started so far, the one in flight included: what a waiter that
     * leaves at its own deadline, before the call ends, reports. Any thread.
     */
    int attemptsStarted() {
        Forwarder.Exchange started = exchange;
        return started == null ? 0 : started.attemptsStarted();
    }

    /** The call's time at Mist until {@code now} (the loops' clock), in nanoseconds. Any thread. */
    long upstreamNanosSoFar(long now) {
        Forwarder.Exchange started = exchange;
        return started == null ? 0 : started.upstreamNanosSoFar(now);
    }

    /** The caller that started the call, its first waiter. */
    Waiter starter() {
        return starter;
    }

    /**
     * Adds a waiter whose own deadline is {@code waitersDeadline} (on the ticker's clock); null when
     * the call has already settled, been cancelled or ended unwanted. Thread-safe.
     */
    Waiter join(long waitersDeadline) {
        Waiter joining = new Waiter(this, waitersDeadline);
        // Linked before it counts, so that wantedAt, which reads the count first, sees it.
        for (Waiter first = waiters.get(); ; first = waiters.get()) {
            joining.next = first;
            if (waiters.compareAndSet(first, joining)) {
                break;
            }
        }
        while (true) {
            long n = waiting.get();
            if (n == SETTLED) {
                joining.left = true; // never counted
                return null;
            }
            if (waiting.compareAndSet(n, n + JOIN)) {
                return joining;
            }
        }
    }

    /**
     * Marks {@code waiter} as gone and takes it off the count (its node stays on the list); the last
     * one out cancels the call (see the class comment). Only from the waiter's caller's loop; later
     * calls for the same waiter do nothing.
     */
    private void leave(Waiter waiter) {
        if (waiter.left) {
            return;
        }
        waiter.left = true; // before it stops counting: wantedAt no longer counts it once the count is down
        while (true) {
            long n = waiting.get();
            if (n == SETTLED) {
                return; // settled or cancelled already
            }
            if ((int) n == 1) {
                if (waiting.compareAndSet(n, SETTLED)) {
                    if (table != null) {
                        table.remove(key, this);
                    }
                    try {
                        loop.execute(this::cancel);
                    } catch (RejectedExecutionException e) {
                        // the call's loop is shutting down: its exchange goes with it
                    }
                    return;
                }
            } else if (waiting.compareAndSet(n, n - 1)) {
                return;
            }
        }
    }

    /**
     * Whether a waiter may still take the answer at {@code now} (the ticker's clock): a waiter still
     * waiting has its own deadline ahead. The first false settles the call, as its last waiter
     * leaving would: nobody joins it after, and it stays false. Thread-safe; linear in the joins the
     * call has had (it stops at the newest waiter that wants it), and asked once per attempt.
     */
    boolean wantedAt(long now) {
        while (true) {
            long n = waiting.get();
            if (n == SETTLED) {
                return false; // settled, cancelled, or the last waiter left
            }
            if (someWaiterWants(now)) {
                return true;
            }
            if (waiting.compareAndSet(n, SETTLED)) {
                if (table != null) {
                    table.remove(key, this);
                }
                return false;
            }
        }
    }

    private boolean someWaiterWants(long now) {
        for (Waiter w = waiters.get(); w != null; w = w.next) {
            if (!w.left && w.deadline - now > 0) {
                return true;
            }
        }
        return false;
    }

    String key() {
        return key;
    }

    Future<SharedResult> result() {
        return result;
    }

    /** The latest the result arrives: the route budget from the first caller's arrival. */
    long deadline() {
        return deadline;
    }

    EventLoop loop() {
        return loop;
    }

    private void cancel() {
        cancelled = true;
        if (exchange != null) {
            exchange.cancel();
        }
    }

    /**
     * One caller waiting on a {@link SharedCall}: its own deadline, and whether it has left. Made by
     * {@link SharedCall#join} (or with the call, for its starter); {@link #leave} only from its
     * caller's loop, and any thread may read it.
     */
    static final class Waiter {
        private final SharedCall call;
        private final long deadline;
        /** The waiter that joined before this one; written before this one is linked. */
        private Waiter next;
        private volatile boolean left;

        private Waiter(SharedCall call, long deadline) {
            this.call = call;
            this.deadline = deadline;
        }

        /** The call this caller waits on. */
        SharedCall call() {
            return call;
        }

        /** This caller no longer waits; the last one out cancels the call. Later calls do nothing. */
        void leave() {
            call.leave(this);
        }
    }
}
