package io.mistguard.proxy.time;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * A timeout armed by {@link LoopTimers#schedule}: either linked in one of its loop's lanes or, where
 * a lane would not do, backed by a task of the loop's own ({@code loop.schedule}).
 *
 * <p>{@link #cancel} may be called from any thread and any number of times; cancelling a timeout
 * that has run, or is running, does nothing. Off the loop, the cancel is handed to the loop, so the
 * task may still run if it falls due before the loop gets to it, as with {@code Future.cancel} racing
 * a task that is starting.
 */
public final class LoopTimer {

    private final EventLoop loop;
    final Runnable task;
    final long deadline;
    ScheduledFuture<?> fallback;
    // Lane links; lane is null once the timeout has run or been cancelled. Touched on the loop only.
    LoopTimers.Lane lane;
    LoopTimer prev;
    LoopTimer next;

    LoopTimer(EventLoop loop, Runnable task, long deadline) {
        this.loop = loop;
        this.task = task;
        this.deadline = deadline;
    }

    static LoopTimer of(ScheduledFuture<?> future) {
        LoopTimer timer = new LoopTimer(null, null, 0);
        timer.fallback = future;
        return timer;
    }

    /** Stops the timeout if it has not run yet. */
    public void cancel() {
        if (fallback != null) {
            // cancel(false): a task that has started is left to finish rather than interrupted.
            fallback.cancel(false);
        } else if (loop.inEventLoop()) {
            if (lane != null) {
                lane.unlink(this);
            }
        } else {
            loop.execute(this::cancel);
        }
    }
}
