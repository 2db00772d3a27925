package io.mistguard.proxy.invalidation;

import io.mistguard.proxy.time.Scheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the held names to the {@link StateFile} every interval when they changed, and once more,
 * finally, at shutdown. Bounds what a crash can lose to one interval's worth of new names.
 *
 * <p>Thread-safe: writes are serialised on this object so a periodic checkpoint can never land after
 * (and overwrite) the final one. Ticks run on the {@link Scheduler}; file I/O is small but blocking,
 * so the scheduler should not be a latency-critical event loop.
 */
final class Checkpointer {

    private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);

    private final PendingSet pending;
    private final StateFile file;
    private final Scheduler scheduler;
    private final long intervalNanos;
    private final InvalidationCounters counters;
    /** Guarded by {@code this}. -1 forces the first checkpoint, which also rewrites a salvaged file. */
    private long writtenChanges = -1;
    private boolean sealed;
    private Scheduler.Cancellable nextTick;

    Checkpointer(PendingSet pending, StateFile file, Scheduler scheduler, Duration interval,
            InvalidationCounters counters) {
        this.pending = pending;
        this.file = file;
        this.scheduler = scheduler;
        this.intervalNanos = interval.toNanos();
        this.counters = counters;
    }

    synchronized void start() {
        scheduleTick();
    }

    /** Writes the held names if they changed since the last write; failures are retried next tick. */
    synchronized void checkpoint() {
        if (sealed) {
            return;
        }
        long changes = pending.changeCount(); // read before the snapshot: a racing change is caught next time
        if (changes == writtenChanges) {
            return;
        }
        try {
            file.write(pending.heldNames());
            writtenChanges = changes;
            counters.checkpointsWritten.increment();
        } catch (IOException e) {
            log.warn("could not checkpoint invalidation queue to {}; retrying in {} ms", file.path(),
                    TimeUnit.NANOSECONDS.toMillis(intervalNanos), e);
        }
    }

    /** Stops the periodic writes and writes {@code names} as the final state. */
    synchronized void writeFinal(List<String> names) throws IOException {
        sealed = true;
        if (nextTick != null) {
            nextTick.cancel();
        }
        file.write(names);
        counters.checkpointsWritten.increment();
    }

    private synchronized void tick() {
        if (sealed) {
            return;
        }
        checkpoint();
        scheduleTick();
    }

    private void scheduleTick() {
        try {
            nextTick = scheduler.schedule(this::tick, intervalNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            log.warn("invalidation checkpoints stopped: scheduler rejected the next tick", e);
        }
    }
}
