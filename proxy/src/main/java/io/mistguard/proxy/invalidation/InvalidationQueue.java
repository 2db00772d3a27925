package io.mistguard.proxy.invalidation;

import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.time.Backoff;
import io.mistguard.proxy.time.Scheduler;
import io.mistguard.proxy.time.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session-invalidation queue: accepts {@code invalidate_sessions} stream names at once and
 * delivers them to Mist later through an {@link InvalidationSender}, one call at a time, without
 * losing any (see the design's "Session invalidations").
 *
 * <p>Thread-safe. {@link #offer} and {@link #stats} may be called from any thread and never block;
 * the sender, backoff, pause and checkpoints run as tasks on the {@link Scheduler} given to the
 * builder. Because checkpoints do small blocking file writes, give it a dedicated single-thread
 * executor rather than an I/O event loop when a state file is configured.
 */
public final class InvalidationQueue {

    private static final Logger log = LoggerFactory.getLogger(InvalidationQueue.class);

    private final InvalidationsConfig config;
    private final PendingSet pending;
    private final Drainer drainer;
    private final Checkpointer checkpointer;
    private final StateFile stateFile;
    private final InvalidationCounters counters;
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final CompletableFuture<ShutdownReport> shutdownResult = new CompletableFuture<>();

    /** Wires the parts; {@link InvalidationQueueBuilder#start()} then replays and starts them. */
    InvalidationQueue(InvalidationsConfig config, InvalidationSender sender, Scheduler scheduler,
            Ticker ticker, BooleanSupplier mayCall, DoubleSupplier jitter, StateFile stateFile) {
        this.config = config;
        this.counters = new InvalidationCounters();
        this.pending = new PendingSet(config.maxPendingNames(), ticker);
        Backoff backoff = new Backoff(config.initialBackoff(), config.maxBackoff(), jitter);
        this.drainer = new Drainer(pending, sender, mayCall, scheduler, ticker, backoff, config, counters);
        this.checkpointer = stateFile == null ? null
                : new Checkpointer(pending, stateFile, scheduler, config.checkpointInterval(), counters);
        this.stateFile = stateFile;
    }

    /**
     * Starts configuring a queue; {@link InvalidationQueueBuilder#start()} creates it. The queue reads
     * every setting of {@code config} but {@code callTimeout}, which the sender enforces.
     */
    public static InvalidationQueueBuilder builder(InvalidationsConfig config, InvalidationSender sender,
            Scheduler scheduler) {
        return new InvalidationQueueBuilder(config, sender, scheduler);
    }

    /** Replays the state file (its names go first), then starts checkpoints and the drainer. */
    void start() {
        if (stateFile != null) {
            StateReplay.replay(stateFile, pending);
            checkpointer.start();
        }
        drainer.signal();
    }

    /** Accepts one stream name; returns at once. Any thread. */
    public OfferOutcome offer(String stream) {
        OfferOutcome outcome = pending.offer(stream);
        counters.record(outcome);
        if (outcome == OfferOutcome.QUEUED) {
            drainer.signal();
        }
        return outcome;
    }

    /** A snapshot of gauges and counters. Any thread; O(held names). */
    public InvalidationStats stats() {
        PendingSnapshot.Gauges gauges = pending.gauges();
        return new InvalidationStats(gauges.depth(), Duration.ofNanos(gauges.oldestAgeNanos()),
                gauges.inFlight(), counters.accepted.sum(), counters.coalesced.sum(),
                counters.requeued.sum(), counters.rejected.sum(), counters.sentNames.sum(),
                counters.calls.sum(), counters.failedCalls.sum(), counters.retriedNames.sum(),
                counters.checkpointsWritten.sum());
    }

    /**
     * Keeps delivering for at most {@code shutdownGrace}, then refuses new names and writes what is
     * left to the state file. Idempotent; completes exceptionally only if that final write fails.
     */
    public CompletionStage<ShutdownReport> shutdown() {
        if (!shutdownStarted.compareAndSet(false, true)) {
            return shutdownResult;
        }
        drainer.stop(config.shutdownGrace()).thenAccept(this::finishShutdown);
        return shutdownResult;
    }

    private void finishShutdown(boolean drained) {
        pending.close();
        List<String> remaining = pending.heldNames();
        if (checkpointer == null) {
            if (!remaining.isEmpty()) {
                log.warn("invalidation queue stopped with {} undelivered stream(s) and no state file: {}",
                        remaining.size(), remaining);
            }
            shutdownResult.complete(new ShutdownReport(drained || remaining.isEmpty(), remaining, null));
            return;
        }
        try {
            checkpointer.writeFinal(remaining);
            shutdownResult.complete(new ShutdownReport(drained || remaining.isEmpty(), remaining,
                    stateFile.path()));
        } catch (IOException | RuntimeException e) {
            log.error("could not write {} undelivered stream(s) to {}: {}", remaining.size(),
                    stateFile.path(), remaining, e);
            shutdownResult.completeExceptionally(e);
        }
    }
}
