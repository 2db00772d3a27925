package io.mistguard.proxy.invalidation.http;

import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.invalidation.InvalidationQueue;
import io.mistguard.proxy.invalidation.InvalidationSender;
import io.mistguard.proxy.invalidation.InvalidationStats;
import io.mistguard.proxy.invalidation.ShutdownReport;
import io.mistguard.proxy.exchange.QueueHandoff;
import io.mistguard.proxy.time.TimerThread;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running invalidation queue of one mistguard: its own scheduler thread, the queue (started by
 * replaying the state file), the interceptor that feeds it, and its orderly stop.
 *
 * <p>The queue runs on a dedicated daemon thread, not on an event loop: checkpoints are small but
 * blocking file writes. Thread-safe; {@link #shutdown()} blocks and must not run on an event loop.
 */
public final class InvalidationService {

    private static final Logger log = LoggerFactory.getLogger(InvalidationService.class);
    /** Beyond the grace: time for the final state-file write. */
    private static final long FINAL_WRITE_MARGIN_MILLIS = 5_000;

    private final InvalidationsConfig config;
    private final TimerThread executor;
    private final InvalidationQueue queue;

    private InvalidationService(InvalidationsConfig config, TimerThread executor,
                                InvalidationQueue queue) {
        this.config = config;
        this.executor = executor;
        this.queue = queue;
    }

    /**
     * Starts the queue; names left in the state file are queued before this returns, ahead of any
     * request. Call before the proxy listener opens.
     *
     * @param mayCall the Mist circuit breaker: while false, no call to Mist starts
     * @throws java.io.UncheckedIOException if the state file exists but cannot be read
     */
    public static InvalidationService start(InvalidationsConfig config, InvalidationSender sender,
                                            BooleanSupplier mayCall) {
        // Not a ScheduledThreadPoolExecutor: event loops wake the drainer (an offer, a call's completion),
        // and its queue lock could park them (InvalidationOfferNeverBlocksAnEventLoopRegressionTest).
        TimerThread executor = new TimerThread("mistguard-invalidations");
        try {
            InvalidationQueue queue = InvalidationQueue.builder(config, sender, executor)
                    .mayCall(mayCall).start();
            return new InvalidationService(config, executor, queue);
        } catch (RuntimeException e) {
            executor.shutdownNow();
            throw e;
        }
    }

    /** This queue as the route table's destination for its {@code queued} routes. */
    public QueueHandoff handoff() {
        return new InvalidationForwarder(queue::offer);
    }

    /** For {@code /admin/invalidations} and metrics; any thread, never blocks. */
    public InvalidationStats stats() {
        return queue.stats();
    }

    /** The queue itself, for callers (admin, tests) that offer names directly. */
    public InvalidationQueue queue() {
        return queue;
    }

    /**
     * Delivers for at most the configured {@code shutdown_grace}, writes what is left to the state
     * file and stops the scheduler thread. Blocks; idempotent. Needs the upstream client and its
     * event loops still running, so call it before they are closed.
     */
    public ShutdownReport shutdown() throws InterruptedException {
        long waitMillis = config.shutdownGrace().toMillis() + FINAL_WRITE_MARGIN_MILLIS;
        try {
            ShutdownReport report = queue.shutdown().toCompletableFuture().get(waitMillis, TimeUnit.MILLISECONDS);
            if (report.drained()) {
                log.info("invalidation queue drained");
            } else if (report.stateFile() != null) {
                log.info("invalidation queue stopped with {} name(s) left; written to {} for the next start",
                        report.remaining().size(), report.stateFile());
            }
            return report;
        } catch (ExecutionException e) {
            return null; // the queue logged the names it could not write
        } catch (TimeoutException e) {
            log.error("invalidation queue did not stop within {} ms; pending names may be lost", waitMillis);
            return null;
        } finally {
            executor.shutdownNow();
        }
    }
}
