package io.mistguard.proxy.invalidation;

import static java.util.Objects.requireNonNull;

import io.mistguard.proxy.time.Scheduler;
import io.mistguard.proxy.time.Ticker;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
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

    private final InvalidationConfig config;
    private final PendingSet pending;
    private final Drainer drainer;
    private final Checkpointer checkpointer;
    private final InvalidationCounters counters;
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final CompletableFuture<ShutdownReport> shutdownResult = new CompletableFuture<>();

    private InvalidationQueue(Builder builder, InvalidationCounters counters, StateFile stateFile) {
        this.config = builder.config;
        this.counters = counters;
        this.pending = new PendingSet(config.maxPendingNames(), builder.ticker);
        Backoff backoff = new Backoff(config.initialBackoff(), config.maxBackoff(), builder.jitter);
        this.drainer = new Drainer(pending, builder.sender, builder.mayCall, builder.scheduler, backoff,
                config, counters);
        this.checkpointer = stateFile == null ? null : new Checkpointer(pending, stateFile,
                builder.scheduler, config.checkpointInterval(), counters);
    }

    /** Starts configuring a queue; {@link Builder#start()} creates it. */
    public static Builder builder(InvalidationConfig config, InvalidationSender sender, Scheduler scheduler) {
        return new Builder(config, sender, scheduler);
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
        PendingSet.Gauges gauges = pending.gauges();
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
            shutdownResult.complete(new ShutdownReport(drained, remaining, null));
            return;
        }
        try {
            checkpointer.writeFinal(remaining);
            shutdownResult.complete(new ShutdownReport(drained, remaining, config.stateFile()));
        } catch (IOException | RuntimeException e) {
            log.error("could not write {} undelivered stream(s) to {}: {}", remaining.size(),
                    config.stateFile(), remaining, e);
            shutdownResult.completeExceptionally(e);
        }
    }

    private void replay(StateFile stateFile) {
        StateFile.Loaded loaded;
        try {
            loaded = stateFile.load();
        } catch (IOException e) {
            // Unreadable is not corrupt: starting empty would silently drop its names.
            throw new java.io.UncheckedIOException("cannot read invalidation state file " + stateFile.path(), e);
        }
        if (!loaded.problems().isEmpty()) {
            log.error("invalidation state file is corrupt; moved it to {} and replaying the {} name(s) "
                    + "that could be read. Problems:\n  {}", loaded.movedTo(), loaded.names().size(),
                    String.join("\n  ", loaded.problems()));
        }
        loaded.names().forEach(pending::offerReplayed);
        if (!loaded.names().isEmpty()) {
            log.info("replaying {} invalidation(s) from {}", loaded.names().size(), stateFile.path());
        }
    }

    /**
     * Assembles an {@link InvalidationQueue}. Not thread-safe; use once. Defaults: system ticker, a
     * breaker that always allows calls, {@link ThreadLocalRandom} jitter, the UTC wall clock (used
     * only to name a corrupt state file).
     */
    public static final class Builder {

        private final InvalidationConfig config;
        private final InvalidationSender sender;
        private final Scheduler scheduler;
        private Ticker ticker = Ticker.system();
        private BooleanSupplier mayCall = () -> true;
        private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();
        private Clock wallClock = Clock.systemUTC();

        private Builder(InvalidationConfig config, InvalidationSender sender, Scheduler scheduler) {
            this.config = requireNonNull(config, "config");
            this.sender = requireNonNull(sender, "sender");
            this.scheduler = requireNonNull(scheduler, "scheduler");
        }

        public Builder ticker(Ticker ticker) {
            this.ticker = requireNonNull(ticker, "ticker");
            return this;
        }

        /** The Mist circuit breaker: while it returns false no call starts. Called on the scheduler. */
        public Builder mayCall(BooleanSupplier mayCall) {
            this.mayCall = requireNonNull(mayCall, "mayCall");
            return this;
        }

        /** Uniform samples in [0, 1) for backoff jitter. */
        public Builder jitter(DoubleSupplier jitter) {
            this.jitter = requireNonNull(jitter, "jitter");
            return this;
        }

        public Builder wallClock(Clock wallClock) {
            this.wallClock = requireNonNull(wallClock, "wallClock");
            return this;
        }

        /**
         * Replays the state file (its names go first), starts checkpoints and the drainer.
         *
         * @throws java.io.UncheckedIOException if the state file exists but cannot be read or moved
         */
        public InvalidationQueue start() {
            StateFile stateFile = config.stateFile() == null ? null : new StateFile(config.stateFile(), wallClock);
            InvalidationQueue queue = new InvalidationQueue(this, new InvalidationCounters(), stateFile);
            if (stateFile != null) {
                queue.replay(stateFile);
                queue.checkpointer.start();
            }
            queue.drainer.signal();
            return queue;
        }
    }
}
