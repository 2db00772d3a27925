package io.mistguard.proxy.time;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * A timeout armed by {@link LoopTimers#schedule}: either linked in its loop's {@link LoopTimers} or,
 * where those do not take it (off the loop, no delay), backed by a task of the loop's own
 * ({@code loop.schedule}).
 *
 * <p>{@link #cancel} may be called from any thread and any number of times; cancelling a timeout
 * that has run, or is running, does nothing. A timeout cancelled off the loop does not run after the
 * cancel returns, unless it had already started.
 */
public final class LoopTimer {

    private final LoopTimers owner;
    private final ScheduledFuture<?> fallback;
    final Runnable task;
    final long deadline;
    /** Arming order on the owner's loop: breaks ties between equal deadlines, as Netty's queue does. */
    final long sequence;
    /** Set by a cancel off the loop, before the loop unlinks the timeout. */
    volatile boolean cancelled;
    // Links, touched on the loop only: in a lane (lane != null) or in the owner's sorted set.
    LoopTimers.Lane lane;
    boolean inUnordered;
    LoopTimer prev;
    LoopTimer next;

    LoopTimer(LoopTimers owner, Runnable task, long deadline, long sequence) {
        this.owner = owner;
        this.fallback = null;
        this.task = task;
        this.deadline = deadline;
        this.sequence = sequence;
    }

    LoopTimer(ScheduledFuture<?> fallback) {
        this.owner = null;
        this.fallback = fallback;
        this.task = null;
        this.deadline = 0;
        this.sequence = 0;
    }

    boolean isLinked() {
        return lane != null || inUnordered;
    }

    /** Stops the timeout if it has not started yet. */
    public void cancel() {
        if (fallback != null) {
            // cancel(false): a task that has started is left to finish rather than interrupted.
            fallback.cancel(false);
        } else if (owner.loop.inEventLoop()) {
            owner.cancel(this);
        } else {
            cancelled = true;
            try {
                owner.loop.execute(() -> owner.cancel(this));
            } catch (RejectedExecutionException e) {
                // The loop has shut down: its timeouts will never run, so there is nothing to unlink.
            }
        }
    }
}
