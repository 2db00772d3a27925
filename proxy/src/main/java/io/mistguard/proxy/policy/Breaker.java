package io.mistguard.proxy.policy;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerBuilder;
import io.mistguard.proxy.config.BreakerConfig;
import io.mistguard.proxy.time.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named circuit breaker shared by the routes that name it: Failsafe's {@link CircuitBreaker}
 * through its standalone permit API, with two things Failsafe does not do for us.
 *
 * <ul>
 *   <li><b>Open duration on an injected clock.</b> Failsafe measures its open delay with
 *   {@code System.nanoTime()} and offers no clock to inject, so its delay is set to "forever" and
 *   this class half-opens the breaker itself when {@code openDuration} has passed on the
 *   {@link Ticker}. Transitions are then deterministic in tests with a fake clock. (A time-based
 *   failure window still uses Failsafe's own wall clock; count windows use no clock.)</li>
 *   <li><b>A hard bound on half-open trials</b> (failsafe#391): at most {@code halfOpenTrials}
 *   trial permits are out at once, counted here.</li>
 *   <li><b>A report of a time window that slides while nothing is recorded.</b> Failsafe slides its
 *   time window only when a result is recorded, so its failure rate and call count stayed at their
 *   last values for as long as no call came (a 100% that never went away on a quiet breaker). Its
 *   decisions are right (recording slides first); for {@link #snapshot()} this class keeps its own
 *   {@link SlidingCounts} of the results on the {@link Ticker}, counted afresh when the breaker
 *   closes, as Failsafe's are.</li>
 * </ul>
 *
 * <p>An operator may force the breaker open or closed for a while ({@link #force}); the override
 * expires on the same {@link Ticker} and is checked before anything else.
 *
 * <p>Thread-safe and lock-free apart from Failsafe's own short monitor when a result is recorded.
 * Every permit handed out must be settled exactly once through {@link Permit}.
 */
public final class Breaker {

    private static final Logger log = LoggerFactory.getLogger(Breaker.class);
    private static final Duration FOREVER = Duration.ofDays(365 * 100);
    private static final long NOT_OPEN = Long.MIN_VALUE;
    /** The last failure's reason when the permit's holder named none. */
    static final String UNSPECIFIED = "unspecified";

    private final String name;
    private final BreakerConfig config;
    private final Ticker ticker;
    private final CircuitBreaker<Object> failsafe;
    /** When the breaker last opened, on {@link #ticker}; {@link #NOT_OPEN} once half-opened by us. */
    private final AtomicLong openedAt = new AtomicLong(NOT_OPEN);
    private final AtomicInteger trialsOut = new AtomicInteger();
    private final AtomicReference<ForcedState> forced = new AtomicReference<>();
    /** Successes and failures recorded in the last {@code window_time}, for the snapshot; null for a count window. */
    private final SlidingCounts reported;
    private static final int SUCCESSES = 0;
    private static final int FAILURES = 1;
    /** The last failure a permit reported, for operators ({@link BreakerSnapshot#lastFailure()}); null before any. */
    private final AtomicReference<LastFailure> lastFailure = new AtomicReference<>();

    /** A failure's reason token and when it was reported, on {@link #ticker}. */
    private record LastFailure(String reason, long atNanos) {
    }

    public Breaker(String name, BreakerConfig config, Ticker ticker) {
        this.name = name;
        this.config = config;
        this.ticker = ticker;
        this.reported = config.windowTime() == null ? null : new SlidingCounts(config.windowTime(), 2, ticker);
        CircuitBreakerBuilder<Object> builder = CircuitBreaker.builder()
                .withDelay(FOREVER)
                .withSuccessThreshold(config.halfOpenTrials())
                .onOpen(e -> openedAt.set(ticker.nanoTime()));
        if (reported != null) {
            builder.onClose(e -> reported.clear()); // a closed breaker counts afresh, as Failsafe's stats do
        }
        if (config.windowTime() != null) {
            builder.withFailureRateThreshold(config.failureRate(), config.minimumCalls(), config.windowTime());
        } else {
            int failures = (int) Math.ceil(config.windowCalls() * config.failureRate() / 100.0);
            builder.withFailureThreshold(Math.max(1, failures), config.windowCalls());
        }
        this.failsafe = builder.build();
    }

    public String name() {
        return name;
    }

    public BreakerConfig config() {
        return config;
    }

    /** Holds the breaker open ({@code open}) or closed for {@code duration}, replacing any override. */
    public void force(boolean open, Duration duration) {
        forced.set(new ForcedState(open, ticker.nanoTime() + duration.toNanos()));
    }

    /**
     * Takes over from {@code previous}, the breaker of the same name whose settings a reload changed,
     * what is not a setting: an operator's override, with the time it had left, and an open or
     * half-open state (open since the same moment; a half-open one lets its next call through as a
     * trial). Found by review: a reload that changed a breaker's settings during an incident dropped
     * an hour's force-open without a word, and sent traffic to the sick Mist again. Call before the
     * breaker is in use (the reload thread builds it); the counts of the old window are not taken over,
     * since they were counted against other thresholds.
     */
    public void takeOver(Breaker previous) {
        ForcedState f = previous.activeForce();
        if (f != null) {
            forced.set(f);
            log.warn("breaker {}: settings changed by a reload; the operator's forced-{} carries over ({} left)",
                     name, f.name(), Duration.ofNanos(Math.max(0, f.untilNanos() - ticker.nanoTime())));
        }
        if (previous.failsafe.getState() != CircuitBreaker.State.CLOSED) {
            long opened = previous.openedAt.get();
            failsafe.open(); // its listener sets openedAt to now
            openedAt.set(opened == NOT_OPEN ? ticker.nanoTime() - config.openDuration().toNanos() : opened);
            log.warn("breaker {}: settings changed by a reload; it stays open, {} left of its new open_duration",
                     name, remainingOpen());
        }
    }

    /** Ends an override at once; false when there was none. */
    public boolean clearForce() {
        return forced.getAndSet(null) != null;
    }

    /** The override in force now, or {@code null}; an expired one is dropped (and logged) here. */
    private ForcedState activeForce() {
        ForcedState f = forced.get();
        if (f != null && f.expiredAt(ticker.nanoTime())) {
            if (forced.compareAndSet(f, null)) {
                log.warn("breaker {}: forced-{} expired; its own state applies again", name, f.name());
            }
            return null;
        }
        return f;
    }

    /** Asks for a permit; {@code null} means the breaker is open (or its trials are all out). */
    public Permit tryAcquire() {
        ForcedState f = activeForce();
        if (f != null) {
            return f.open() ? null : new Permit(false, false);
        }
        CircuitBreaker.State state = failsafe.getState();
        if (state == CircuitBreaker.State.OPEN) {
            long opened = openedAt.get();
            if (opened == NOT_OPEN || ticker.nanoTime() - opened < config.openDuration().toNanos()) {
                return null;
            }
            if (openedAt.compareAndSet(opened, NOT_OPEN)) {
                failsafe.halfOpen(); // exactly one caller moves it on; the others re-read the state
            }
            state = failsafe.getState();
        }
        if (state == CircuitBreaker.State.HALF_OPEN) {
            if (trialsOut.incrementAndGet() > config.halfOpenTrials() || !failsafe.tryAcquirePermit()) {
                trialsOut.decrementAndGet();
                return null;
            }
            return new Permit(true);
        }
        return failsafe.tryAcquirePermit() ? new Permit(false) : null;
    }

    /**
     * Whether the breaker is open and still inside its open duration, without asking for a permit:
     * for callers that only need to hold back (the invalidation drainer), not to take part in trials.
     */
    public boolean isRejecting() {
        ForcedState f = activeForce();
        if (f != null) {
            return f.open();
        }
        return failsafe.getState() == CircuitBreaker.State.OPEN && openedAt.get() != NOT_OPEN
                && ticker.nanoTime() - openedAt.get() < config.openDuration().toNanos();
    }

    /** How long until an open breaker lets a trial through; zero when it is not open. */
    public Duration remainingOpen() {
        ForcedState f = activeForce();
        if (f != null) {
            return f.open() ? Duration.ofNanos(Math.max(0, f.untilNanos() - ticker.nanoTime())) : Duration.ZERO;
        }
        long opened = openedAt.get();
        if (failsafe.getState() != CircuitBreaker.State.OPEN || opened == NOT_OPEN) {
            return Duration.ZERO;
        }
        long left = config.openDuration().toNanos() - (ticker.nanoTime() - opened);
        return Duration.ofNanos(Math.max(0, left));
    }

    /** A read-only view for the admin listener and tests. */
    public BreakerSnapshot snapshot() {
        ForcedState f = activeForce();
        LastFailure last = lastFailure.get();
        long now = ticker.nanoTime();
        CircuitBreaker.State state = failsafe.getState();
        int failureRate = failsafe.getFailureRate();
        int calls = failsafe.getExecutionCount();
        if (reported != null && state != CircuitBreaker.State.HALF_OPEN) {
            long[] counts = reported.sums(); // half-open: Failsafe's count of its trials, which does not age
            long recorded = counts[SUCCESSES] + counts[FAILURES];
            calls = (int) Math.min(Integer.MAX_VALUE, recorded);
            failureRate = recorded == 0 ? 0 : (int) Math.round(counts[FAILURES] * 100.0 / recorded);
        }
        return new BreakerSnapshot(name, state.name().toLowerCase(java.util.Locale.ROOT),
                                   failureRate, calls, remainingOpen(),
                                   trialsOut.get(), f == null ? BreakerSnapshot.NOT_FORCED : f.name(),
                                   f == null ? Duration.ZERO : Duration.ofNanos(Math.max(0, f.untilNanos() - now)),
                                   last == null ? null : last.reason(),
                                   last == null ? null : Duration.ofNanos(Math.max(0, now - last.atNanos())));
    }

    /**
     * The right to make one call while the breaker allows it. Settled exactly once, by the first of
     * {@link #success()}, {@link #failure()} or {@link #abandon()}; later calls do nothing. Used on
     * one event loop, so the flag needs no atomics.
     */
    public final class Permit {

        private final boolean trial;
        /** False under a forced-closed override: the calls it lets through say nothing to Failsafe. */
        private final boolean recorded;
        private boolean settled;

        private Permit(boolean trial) {
            this(trial, true);
        }

        private Permit(boolean trial, boolean recorded) {
            this.trial = trial;
            this.recorded = recorded;
        }

        /** Mist answered (any HTTP status). */
        public void success() {
            if (settle() && recorded) {
                failsafe.recordSuccess();
                if (reported != null) {
                    reported.add(SUCCESSES); // after: a trial that closes the breaker counts in its fresh window
                }
            }
        }

        /** Timeout, connection error, reset or bad response, for a caller that does not say which. */
        public void failure() {
            failure(UNSPECIFIED);
        }

        /**
         * Timeout, connection error, reset or bad response. {@code reason} (a decision token such as
         * {@code timeout} or {@code connect-refused}) is kept as the breaker's last failure for the
         * admin views, also under a forced-closed override, whose calls Failsafe does not see: the
         * operator still learns that Mist fails.
         */
        public void failure(String reason) {
            if (!settle()) {
                return;
            }
            lastFailure.set(new LastFailure(reason, ticker.nanoTime()));
            if (recorded) {
                failsafe.recordFailure();
                if (reported != null) {
                    reported.add(FAILURES);
                }
            }
        }

        /**
         * The caller left, or its own deadline ended, before Mist answered: that says nothing about
         * Mist, so nothing is recorded. A closed-state permit holds nothing in Failsafe. A half-open
         * trial holds one of Failsafe's trial permits, which Failsafe 3.3 cannot give back; the
         * breaker goes through open into half-open afresh instead (callers in between are turned
         * away as while open), so the next caller gets the trial. (Recording a failure here re-opened
         * the breaker whenever a caller's short deadline ended a trial.)
         */
        public void abandon() {
            if (settle() && trial && recorded && failsafe.isHalfOpen()) {
                restartHalfOpen();
            }
        }

        private boolean settle() {
            if (settled) {
                return false;
            }
            settled = true;
            if (trial) {
                trialsOut.decrementAndGet();
            }
            return true;
        }
    }

    /** Half-open with all its trials again; {@code halfOpen()} alone is a no-op while half-open. */
    private void restartHalfOpen() {
        failsafe.open();
        openedAt.set(NOT_OPEN);
        failsafe.halfOpen();
    }
}
