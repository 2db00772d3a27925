package io.mistguard.proxy.time;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task once after a delay; the only way timed work is started in mistguard, so that tests can
 * substitute a fake clock ({@code ManualClock} in the test sources) for real timers.
 *
 * <p>Implementations must accept {@link #schedule} from any thread. Tasks run on the scheduler's own
 * thread(s); a task scheduled with delay zero runs as soon as the scheduler gets to it, never inline
 * in the caller.
 */
public interface Scheduler {

    /**
     * Runs {@code task} once after {@code delay}.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler is shut down
     */
    Cancellable schedule(Runnable task, long delay, TimeUnit unit);

    /** A handle to a scheduled task; cancelling a task that already ran does nothing. */
    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }

    /**
     * Adapts an executor; a Netty {@code EventLoop} is one, so timed work can stay on the loop that
     * owns the state it touches.
     */
    static Scheduler of(ScheduledExecutorService executor) {
        requireNonNull(executor, "executor");
        return (task, delay, unit) -> {
            ScheduledFuture<?> future = executor.schedule(task, delay, unit);
            // cancel(false): a task that has started is left to finish rather than interrupted.
            return () -> future.cancel(false);
        };
    }
}
