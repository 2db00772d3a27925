package io.mistguard.proxy.invalidation;

import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.time.Backoff;
import io.mistguard.proxy.time.Scheduler;
import io.mistguard.proxy.time.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single consumer of {@link PendingSet}: sends waiting names to Mist one call at a time, in
 * batches, backing off after failures and pausing while the breaker ({@code mayCall}) says no.
 *
 * <p>Threading: {@link #signal()} may be called from any thread. All other work runs as tasks on the
 * {@link Scheduler}, never two at once: {@code active} is true from the moment a run is scheduled
 * until the drainer finds nothing to do, and while it is true every step (call completion, backoff,
 * pause) schedules exactly one successor. No thread ever sleeps or polls an empty queue.
 *
 * <p>Shutdown grace: the grace's end is an absolute reading of the queue's {@link Ticker}, checked by
 * every step before it starts a call, as well as a task that ends the drainer when nothing runs. A
 * backoff or a pause whose task the scheduler runs late, after the grace has passed but before the
 * grace's own task, therefore starts no call (the same rule as a caller's deadline on an event loop:
 * a passed deadline decides).
 */
final class Drainer {

    private static final Logger log = LoggerFactory.getLogger(Drainer.class);

    private final PendingSet pending;
    private final InvalidationSender sender;
    private final BooleanSupplier mayCall;
    private final Scheduler scheduler;
    private final Ticker ticker;
    private final Backoff backoff;
    private final int batchSize;
    private final long pausedRecheckNanos;
    private final InvalidationCounters counters;
    private final AtomicBoolean active = new AtomicBoolean();
    private final CompletableFuture<Boolean> stopped = new CompletableFuture<>();
    private volatile boolean stopping;
    /** When the shutdown grace ends, on {@link #ticker}; written before {@link #stopping} is set. */
    private volatile long graceEnds;
    /** Drainer-confined: consecutive failed calls, reset by a success. */
    private int failures;

    Drainer(PendingSet pending, InvalidationSender sender, BooleanSupplier mayCall, Scheduler scheduler,
            Ticker ticker, Backoff backoff, InvalidationsConfig config, InvalidationCounters counters) {
        this.pending = pending;
        this.sender = sender;
        this.mayCall = mayCall;
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.backoff = backoff;
        this.batchSize = config.batchSize();
        this.pausedRecheckNanos = config.pausedRecheck().toNanos();
        this.counters = counters;
    }

    /** Tells the drainer a name was queued; schedules a run unless one is already under way. */
    void signal() {
        if (!stopped.isDone() && active.compareAndSet(false, true)) {
            submit(this::run, 0);
        }
    }

    /**
     * Stops taking new calls once the queue is empty or {@code grace} has passed, whichever comes
     * first; completes with {@code true} if everything was delivered. A call still outstanding at
     * the deadline is abandoned (its names stay held, so they are written to the state file).
     */
    CompletionStage<Boolean> stop(Duration grace) {
        graceEnds = ticker.nanoTime() + grace.toNanos();
        stopping = true;
        Scheduler.Cancellable deadline = scheduler.schedule(
                () -> stopped.complete(false), grace.toNanos(), TimeUnit.NANOSECONDS);
        stopped.thenRun(deadline::cancel);
        signal(); // an idle drainer must notice that it is done
        return stopped;
    }

    private void run() {
        try {
            step();
        } catch (RuntimeException e) {
            // A throwing breaker (or a bug) must not leave the drainer "active" with no successor
            // scheduled: that would stall every invalidation until restart.
            log.error("invalidation drainer step failed; trying again in {} ms",
                    TimeUnit.NANOSECONDS.toMillis(pausedRecheckNanos), e);
            submit(this::run, pausedRecheckNanos);
        }
    }

    private void step() {
        if (stopped.isDone()) {
            return; // stay active: nothing may be scheduled any more
        }
        if (!pending.hasWaiting()) {
            goIdle();
            return;
        }
        if (stopping && ticker.nanoTime() - graceEnds >= 0) {
            // A backoff or pause run late, past the grace but before the grace's task: no new call.
            stopped.complete(false);
            return;
        }
        if (!mayCall.getAsBoolean()) {
            submit(this::run, pausedRecheckNanos);
            return;
        }
        call(pending.takeBatch(batchSize));
    }

    private void goIdle() {
        if (stopping) {
            stopped.complete(true);
            return;
        }
        active.set(false);
        // A producer that queued after our emptiness check may have seen active == true and not
        // signalled; re-check so its name is not stranded. Only the concurrent queue is read here.
        if (pending.hasQueued() && active.compareAndSet(false, true)) {
            submit(this::run, 0);
        }
    }

    private void call(List<StreamSlot> batch) {
        List<String> names = batch.stream().map(slot -> slot.name).toList();
        counters.calls.increment();
        CompletionStage<Void> stage;
        try {
            stage = sender.send(names);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        if (stage == null) {
            stage = CompletableFuture.failedFuture(new NullPointerException("sender returned null"));
        }
        // Continue on the scheduler, not on whatever thread completes the stage (nor inline when it
        // is already complete, which would recurse once per batch).
        stage.whenComplete((ignored, error) -> submit(() -> finish(batch, error), 0));
    }

    private void finish(List<StreamSlot> batch, Throwable error) {
        if (stopped.isDone()) {
            return; // the final state already counts these names as held
        }
        if (error == null) {
            failures = 0;
            pending.delivered(batch);
            counters.sentNames.add(batch.size());
            // One line per delivered call, so an operator sees the queue drain; names are never logged.
            log.info("invalidate_sessions delivered for {} stream(s) in one call", batch.size());
            run();
            return;
        }
        failures++;
        pending.failed(batch);
        counters.failedCalls.increment();
        counters.retriedNames.add(batch.size());
        long delay = backoff.delayNanos(failures);
        log.warn("invalidate_sessions for {} stream(s) failed ({} in a row), retrying in {} ms: {}",
                batch.size(), failures, TimeUnit.NANOSECONDS.toMillis(delay), error.toString());
        submit(this::run, delay);
    }

    private void submit(Runnable task, long delayNanos) {
        try {
            scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The executor is gone (process shutting down): held names stay held for the state file.
            if (stopped.isDone()) {
                // Expected: a call abandoned at the grace deadline completes once its connection closes.
                log.debug("invalidation drainer already stopped; ignoring a late completion");
                return;
            }
            log.warn("invalidation drainer stopped: scheduler rejected its task", e);
        }
    }
}
