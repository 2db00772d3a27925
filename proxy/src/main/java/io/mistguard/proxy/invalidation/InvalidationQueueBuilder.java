package io.mistguard.proxy.invalidation;

import static java.util.Objects.requireNonNull;

import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.time.Scheduler;
import io.mistguard.proxy.time.Ticker;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;

/**
 * Assembles and starts an {@link InvalidationQueue}; obtained from
 * {@link InvalidationQueue#builder}. Defaults: the system ticker, a breaker that always allows
 * calls, {@link ThreadLocalRandom} jitter and the UTC wall clock (used only to name the files a
 * replay sets aside).
 *
 * <p>Not thread-safe; configure and {@link #start()} on one thread, once.
 */
public final class InvalidationQueueBuilder {

    private final InvalidationsConfig config;
    private final InvalidationSender sender;
    private final Scheduler scheduler;
    private Ticker ticker = Ticker.system();
    private BooleanSupplier mayCall = () -> true;
    private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();
    private Clock wallClock = Clock.systemUTC();

    InvalidationQueueBuilder(InvalidationsConfig config, InvalidationSender sender, Scheduler scheduler) {
        this.config = requireNonNull(config, "config");
        this.sender = requireNonNull(sender, "sender");
        this.scheduler = requireNonNull(scheduler, "scheduler");
    }

    /** Monotonic time for ages in the stats. */
    public InvalidationQueueBuilder ticker(Ticker ticker) {
        this.ticker = requireNonNull(ticker, "ticker");
        return this;
    }

    /** The Mist circuit breaker: while it returns false no call starts. Asked on the scheduler. */
    public InvalidationQueueBuilder mayCall(BooleanSupplier mayCall) {
        this.mayCall = requireNonNull(mayCall, "mayCall");
        return this;
    }

    /** Uniform samples in [0, 1) for backoff jitter. */
    public InvalidationQueueBuilder jitter(DoubleSupplier jitter) {
        this.jitter = requireNonNull(jitter, "jitter");
        return this;
    }

    /** Wall time, only for the {@code <file>.corrupt-<timestamp>} and {@code .excess-} names. */
    public InvalidationQueueBuilder wallClock(Clock wallClock) {
        this.wallClock = requireNonNull(wallClock, "wallClock");
        return this;
    }

    /**
     * Creates the queue, replays the state file (its names are queued before any new one), and
     * starts checkpoints and the drainer.
     *
     * @throws java.io.UncheckedIOException if the state file exists but cannot be read or moved, or
     *                                      its names beyond {@code maxPendingNames} cannot be kept
     *                                      aside; a corrupt file is logged, moved aside and not fatal
     */
    public InvalidationQueue start() {
        StateFile stateFile = config.stateFile() == null ? null : new StateFile(config.stateFile(), wallClock);
        InvalidationQueue queue = new InvalidationQueue(config, sender, scheduler, ticker, mayCall, jitter, stateFile);
        queue.start();
        return queue;
    }
}
