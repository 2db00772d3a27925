package io.mistguard.proxy.policy;

import io.mistguard.proxy.config.RejectionConfig;
import io.mistguard.proxy.config.RetryConfig;
import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.exchange.ProxyResponses;
import io.mistguard.proxy.time.Backoff;
import io.mistguard.proxy.time.LoopTimer;
import io.mistguard.proxy.time.LoopTimers;
import io.mistguard.proxy.upstream.PrivateConnection;
import io.mistguard.proxy.upstream.SendCopy;
import io.mistguard.proxy.upstream.UpstreamException;
import io.mistguard.proxy.upstream.UpstreamFailure;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongPredicate;

/**
 * One request under its route's policies: deadline, admission, breaker permit, attempts and
 * budgeted retries, ending in exactly one answer.
 *
 * <p>Order: the total budget starts at once (a caller's deadline header can shorten it); then an
 * admission slot (or a bounded wait for one); then, per attempt, a breaker permit and an upstream
 * attempt bounded by {@code min(per_try_timeout, route budget left)}. When the caller's budget ends,
 * the attempt in flight is cancelled (its connection closed, never pooled), no further attempt
 * starts, and the caller is answered {@code 504}. Whatever ends the exchange — answer, deadline,
 * caller gone — frees the slot or queue place and settles the permit exactly once.
 *
 * <p>Only Mist's own failures are recorded against its breaker: the route's {@code per_try_timeout}
 * or {@code timeout} expiring, connect errors, resets and malformed answers. A deadline the caller
 * shortened ({@link Decision#CALLER_DEADLINE}) or a caller leaving ({@link Decision#CANCELLED}) releases
 * the permit without a verdict.
 *
 * <p>Confined to the caller's event loop: every method runs there (an admission grant from another
 * loop hops back with {@code loop.execute}), so fields need no synchronisation.
 */
final class PolicyExchange implements Forwarder.Exchange {

    /** A retry that could not get this much time before the deadline is not started. */
    private static final long MIN_USEFUL_TRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final RoutePolicy route;
    private final UpstreamAttempts upstream;
    private final Inflight inflight;
    /** The loop's clock: deadlines are reckoned on the clock their timers run on. */
    private final Ticker ticker;
    private final EventLoop loop;
    private final ByteBufAllocator alloc;
    private final FullHttpRequest request;
    private final Promise<Answer> response;
    private final PrivateConnection privateConnection;
    private final long arrived;
    /** The caller's deadline: the route's, or earlier when the caller asked for less. */
    private final long deadline;
    /** The route's own deadline; an attempt is never given more time than this. */
    private final long routeDeadline;
    /** Uniform samples in {@code [0, 1)} for the retry backoff. */
    private final DoubleSupplier jitter;
    /**
     * Whether the answer is a caller's and counts with the route's decisions, wait and latency; false
     * for a shared call or a refresh, whose callers are each counted by the cache as they are answered.
     */
    private final boolean answersACaller;
    /** Asked before each attempt of a shared call: whether a waiter can still take the answer; null: always. */
    private final LongPredicate wanted;
    private LoopTimer deadlineTimer;
    private LoopTimer pendingTimer;
    private Admission.Waiter waiter;
    private boolean holdingSlot;
    private UpstreamAttempts.Attempt attempt;
    /** When the attempt in flight times out on its own, on the ticker's clock (nanoseconds). */
    private long attemptTimesOutAt;
    private Breaker.Permit permit;
    private long upstreamNanos;
    private int attempts;
    /** What a shared call has done so far, published for its callers on any loop; {@link Progress#NONE} else. */
    private volatile Progress progress = Progress.NONE;
    private boolean done;

    PolicyExchange(RoutePolicy route, UpstreamAttempts upstream, Inflight inflight, EventLoop loop,
                   ByteBufAllocator alloc, FullHttpRequest request, PrivateConnection privateConnection,
                   DoubleSupplier jitter) {
        this(route, upstream, inflight, loop, alloc, request, privateConnection, loop.ticker().nanoTime(),
             CallerDeadline.budgetNanos(request.headers(), route.timeoutNanos()), route.timeoutNanos(), jitter, true,
             null);
    }

    /**
     * An exchange whose budget is given: a call shared by several callers ({@code cache/}) runs at
     * most for the route's budget from the first caller's arrival, whatever that caller's header
     * says, and ends earlier when its last waiter leaves; a background refresh gets
     * {@code per_try_timeout}.
     *
     * @param arrived when the budget starts, on {@code loop}'s clock ({@code loop.ticker()})
     * @param budgetNanos the caller's budget; {@code routeBudgetNanos} bounds the attempts, and a
     *                    deadline before it is the caller's own choice, not Mist's failure
     * @param jitter uniform samples in {@code [0, 1)} for the retry backoff ({@link PolicyHooks#jitter()})
     * @param answersACaller false for a call shared by callers the cache answers and counts itself
     * @param wanted for a shared call, asked before each attempt with the loop's clock reading: false
     *               ends the call without it, since no waiter can take the answer; null for a caller's own
     */
    PolicyExchange(RoutePolicy route, UpstreamAttempts upstream, Inflight inflight, EventLoop loop,
                   ByteBufAllocator alloc, FullHttpRequest request, PrivateConnection privateConnection,
                   long arrived, long budgetNanos, long routeBudgetNanos, DoubleSupplier jitter,
                   boolean answersACaller, LongPredicate wanted) {
        this.route = route;
        this.upstream = upstream;
        this.inflight = inflight;
        this.ticker = loop.ticker();
        this.loop = loop;
        this.alloc = alloc;
        this.request = request;
        this.response = loop.newPromise();
        this.privateConnection = privateConnection;
        this.arrived = arrived;
        this.routeDeadline = arrived + routeBudgetNanos;
        this.deadline = Math.min(arrived + budgetNanos, routeDeadline);
        this.jitter = jitter;
        this.answersACaller = answersACaller;
        this.wanted = wanted;
    }

    @Override
    public int attemptsStarted() {
        return progress.attempts();
    }

    @Override
    public long upstreamNanosSoFar(long now) {
        Progress p = progress;
        return p.doneNanos() + (p.inFlight() ? Math.max(0, now - p.inFlightSince()) : 0);
    }

    /**
     * A shared call's attempts started so far and its time at Mist: that of the attempts ended, and
     * since when the one in flight (if any) has run, on the loop's clock. Immutable, so that a caller
     * on another loop reads the three together.
     */
    private record Progress(int attempts, long doneNanos, long inFlightSince, boolean inFlight) {
        static final Progress NONE = new Progress(0, 0, 0, false);
    }

    @Override
    public Future<Answer> response() {
        return response;
    }

    void start() {
        route.budget().onRequest();
        // Due at the deadline, with LoopTimers' clock reading alone (remaining() would read it once more).
        deadlineTimer = LoopTimers.scheduleAt(loop, LoopTimers.Kind.REQUEST_DEADLINE, this::onDeadline, deadline);
        Admission pool = route.admission();
        if (pool == null) {
            tryAttempt();
            return;
        }
        Admission.Waiter queued = new Admission.Waiter(this::grantedElsewhere);
        switch (pool.acquire(queued)) {
            case ADMITTED -> {
                holdingSlot = true;
                tryAttempt();
            }
            case QUEUED -> {
                waiter = queued;
                long queueTimeout = pool.config().queueTimeout().toNanos();
                if (queueTimeout < remaining()) {
                    pendingTimer = LoopTimers.schedule(loop, LoopTimers.Kind.QUEUE_WAIT, this::onQueueTimeout,
                            queueTimeout);
                }
            }
            case REJECTED -> reject(Decision.OVERLOAD, "the admission queue of " + pool.name() + " is full");
        }
    }

    /** Runs on whichever thread freed the slot; the slot is ours from here on. */
    private void grantedElsewhere() {
        try {
            loop.execute(this::onGranted);
        } catch (RejectedExecutionException e) {
            route.admission().release(); // our loop is shutting down: nobody will use the slot
        }
    }

    private void onGranted() {
        waiter = null;
        holdingSlot = true;
        if (done) {
            releaseSlot(); // answered (deadline, caller gone) while the grant was on its way
            return;
        }
        cancelPendingTimer();
        tryAttempt();
    }

    private void onQueueTimeout() {
        pendingTimer = null;
        if (done || waiter == null || !waiter.abandon(route.admission())) {
            return; // granted meanwhile: onGranted is on its way and goes ahead
        }
        waiter = null;
        if (remaining() <= 0) {
            // The loop ran the queue's timer (due just before the deadline) after the deadline had
            // passed: the deadline decides, as it does for every timer the loop runs late.
            endAtDeadline();
            return;
        }
        reject(Decision.QUEUE_TIMEOUT, "no slot at Mist within the queue timeout");
    }

    private void tryAttempt() {
        pendingTimer = null;
        if (done) {
            return;
        }
        long now = ticker.nanoTime(); // one reading for all below: each is a vdso call (profile.sh shows them)
        if (deadline - now <= 0) {
            // A backoff or a grant that the loop ran late, after the deadline had passed and before
            // the deadline's own timer: an attempt now could only be cut, after reaching Mist.
            endAtDeadline();
            return;
        }
        if (wanted != null && !wanted.test(now)) {
            // A shared call whose callers still waiting are all past their own deadlines (the loop
            // running this backoff or grant before their timers), or which none is waiting on.
            finish(ProxyResponses.rejection(alloc, UpstreamFailure.CANCELLED.status(), Decision.CANCELLED,
                                            "no caller waits for the answer any longer"));
            return;
        }
        Breaker breaker = route.breaker();
        Breaker.Permit granted = breaker == null ? null : breaker.tryAcquire();
        if (breaker != null && granted == null) {
            reject(Decision.BREAKER_OPEN, "breaker " + breaker.name() + " is open after recent failures");
            return;
        }
        if (attempts > 0) {
            route.stats().retries.increment(); // counted when made: a backoff may end without one
        }
        attempts++;
        if (wanted != null) {
            progress = new Progress(attempts, upstreamNanos, now, true); // its callers' own deadlines report it
        }
        permit = granted;
        route.stats().upstreamInFlight.incrementAndGet();
        InflightAttempt view = new InflightAttempt(route.config().name(), attempts, now, deadline);
        inflight.add(view);
        // Bounded by the route's own clock only: the caller's deadline ends the attempt through
        // onDeadline, so that an attempt's own timeout is always one of Mist's failures.
        long timeout = Math.min(route.perTryNanos(), routeDeadline - now);
        attemptTimesOutAt = now + timeout;
        UpstreamAttempts.Attempt started = upstream.start(loop, SendCopy.of(request), timeout, privateConnection,
                                                          route.config().kind().replayable());
        attempt = started;
        started.result().addListener((Future<FullHttpResponse> f) -> onAttemptDone(started, view, granted, f));
    }

    private void onAttemptDone(UpstreamAttempts.Attempt finished, InflightAttempt view, Breaker.Permit settled,
                               Future<FullHttpResponse> f) {
        route.stats().upstreamInFlight.decrementAndGet();
        inflight.remove(view);
        long now = ticker.nanoTime();
        long took = view.ageNanos(now);
        route.observer().attempted(took);
        upstreamNanos += took; // a cancelled attempt fails at once, so it is counted before the answer
        if (wanted != null) {
            progress = new Progress(attempts, upstreamNanos, 0, false);
        }
        if (finished != attempt) {
            // Abandoned by the deadline or the caller, its permit already settled.
            if (f.isSuccess()) {
                route.stats().lateResponses.increment();
                f.getNow().release();
            }
            return;
        }
        attempt = null;
        permit = null;
        if (f.isSuccess()) {
            if (settled != null) {
                settled.success();
            }
            finish(Answer.of(f.getNow(), Decision.PROXIED), now); // answered the moment the attempt ended
            return;
        }
        UpstreamException error = FailureClassifier.asUpstream(f.cause());
        UpstreamFailure failure = error.failure();
        boolean deadlinePassed = deadline - now <= 0;
        // The attempt's own timer, due no earlier than the deadline (given the rest of the budget it
        // is due at about the same instant: each arming reads the clock again, so either may be a few
        // ns ahead), ran before the deadline's: the deadline's doing, settled as the deadline settles it.
        boolean cut = deadlinePassed && failure == UpstreamFailure.TIMEOUT && attemptTimesOutAt - deadline >= 0;
        if (settled != null) {
            if (cut) {
                settle(settled, !callersChoice()); // as endAtDeadline settles an attempt it cuts
            } else if (FailureClassifier.breakerFailure(failure)) {
                settled.failure(failure.reason()); // Mist's own failure, whenever the loop got to it
            } else {
                settled.abandon();
            }
        }
        if (deadlinePassed) {
            // Any failure the loop ran after the deadline had passed and before the deadline's timer
            // (a per-try timeout, a connect timeout, a reset): the deadline has passed, so the caller
            // gets its answer, and no retry could start anyway.
            if (cut) {
                route.stats().attemptsCutByDeadline.increment();
            }
            endAtDeadline();
            return;
        }
        if (!retry(failure)) {
            finish(ProxyResponses.rejection(alloc, failure.status(), Decision.of(failure), error.detail()));
        }
    }

    /** Schedules another attempt when the route, the budget and the clock allow one. */
    private boolean retry(UpstreamFailure failure) {
        RetryConfig retry = route.config().retry();
        boolean allowed = route.config().kind().replayable() || FailureClassifier.provablyUnsent(failure);
        if (attempts >= retry.attempts() || !allowed || !FailureClassifier.retryable(failure)) {
            return false;
        }
        long backoff = Backoff.nanos(retry.backoffBase(), retry.backoffMax(), attempts, jitter);
        if (remaining() - backoff < MIN_USEFUL_TRY_NANOS) {
            return false;
        }
        if (!route.budget().tryRetry()) {
            route.stats().retryBudgetExhausted.increment();
            return false;
        }
        pendingTimer = LoopTimers.schedule(loop, LoopTimers.Kind.BACKOFF, this::tryAttempt, backoff);
        return true;
    }

    private void onDeadline() {
        deadlineTimer = null;
        if (done) {
            return;
        }
        endAtDeadline();
    }

    /**
     * The answer of a passed deadline, the caller's or the route's, with the attempt in flight (if
     * any) cut; the deadline's timer, if still armed, is cancelled by {@link #finish}.
     */
    private void endAtDeadline() {
        boolean callersChoice = callersChoice();
        if (attempt != null) {
            route.stats().attemptsCutByDeadline.increment();
            abandonAttempt(!callersChoice);
        }
        if (callersChoice) {
            long askedMs = TimeUnit.NANOSECONDS.toMillis(deadline - arrived);
            finish(ProxyResponses.rejection(alloc, UpstreamFailure.TIMEOUT.status(), Decision.CALLER_DEADLINE,
                                            "no answer within the caller's own deadline of " + askedMs + "ms"));
            return;
        }
        long budgetMs = TimeUnit.NANOSECONDS.toMillis(route.timeoutNanos());
        finish(ProxyResponses.rejection(alloc, UpstreamFailure.TIMEOUT.status(), Decision.TIMEOUT,
                                        "no answer within the budget (route " + route.config().name() + ": "
                                        + budgetMs + "ms)"));
    }

    /** The caller went away: stop everything and free what is held. */
    @Override
    public void cancel() {
        if (done) {
            return;
        }
        if (attempt != null) {
            abandonAttempt(false);
        }
        finish(ProxyResponses.rejection(alloc, UpstreamFailure.CANCELLED.status(), Decision.CANCELLED,
                                        "the caller went away"));
    }

    /** Settles the permit, then closes the attempt's connection (its result is then ignored). */
    private void abandonAttempt(boolean timedOut) {
        UpstreamAttempts.Attempt current = attempt;
        Breaker.Permit held = permit;
        attempt = null;
        permit = null;
        if (held != null) {
            settle(held, timedOut);
        }
        current.cancel();
    }

    /**
     * Settles the permit of an attempt that did not end on its own: a timeout of Mist when the route's
     * own deadline ended it, no verdict otherwise (the caller's shorter deadline, or the caller gone).
     */
    private static void settle(Breaker.Permit held, boolean mistTimedOut) {
        if (mistTimedOut) {
            held.failure(UpstreamFailure.TIMEOUT.reason());
        } else {
            held.abandon();
        }
    }

    /** Whether the deadline is the caller's own, shorter than the route's: a choice that says nothing of Mist. */
    private boolean callersChoice() {
        return deadline < routeDeadline;
    }

    private void reject(Decision decision, String detail) {
        RejectionConfig rejection = route.config().rejection();
        Answer answer = ProxyResponses.rejection(alloc, HttpResponseStatus.valueOf(rejection.status()), decision,
                                                 detail);
        if (rejection.retryAfterSeconds() == 0) {
            answer.response().headers().remove(HttpHeaderNames.RETRY_AFTER);
        }
        finish(answer);
    }

    private void finish(Answer answer) {
        finish(answer, ticker.nanoTime());
    }

    /** @param now the ticker's reading at the answer, for the time the caller waited */
    private void finish(Answer answer, long now) {
        if (done) {
            answer.response().release();
            return;
        }
        done = true;
        if (deadlineTimer != null) {
            deadlineTimer.cancel();
        }
        cancelPendingTimer();
        if (waiter != null) {
            waiter.abandon(route.admission()); // if a grant won the race, onGranted frees the slot
            waiter = null;
        }
        releaseSlot();
        request.release();
        if (answersACaller) {
            // A shared call's (or a refresh's) ending is no answer: the cache reports each caller's.
            route.answered(answer.decision(), now - arrived, null);
        }
        response.setSuccess(answer.onRoute(route.config().name()).withAttempts(attempts, upstreamNanos));
    }

    private void releaseSlot() {
        if (holdingSlot) {
            holdingSlot = false;
            route.admission().release();
        }
    }

    private void cancelPendingTimer() {
        if (pendingTimer != null) {
            pendingTimer.cancel();
            pendingTimer = null;
        }
    }

    private long remaining() {
        return deadline - ticker.nanoTime();
    }
}
