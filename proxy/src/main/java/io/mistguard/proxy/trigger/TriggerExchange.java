package io.mistguard.proxy.trigger;

import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.ProxyResponses;
import io.mistguard.proxy.policy.Admission;
import io.mistguard.proxy.policy.Breaker;
import io.mistguard.proxy.policy.UpstreamAttempts;
import io.mistguard.proxy.time.LoopTimer;
import io.mistguard.proxy.time.LoopTimers;
import io.mistguard.proxy.upstream.SendCopy;
import io.mistguard.proxy.upstream.UpstreamException;
import io.mistguard.proxy.upstream.UpstreamFailure;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.RejectedExecutionException;

/**
 * One blocking trigger from Mist, answered within its policy's {@code timeout}: catalyst-api's
 * {@code 200} relayed byte for byte, or else the policy's fallback as a {@code 200} that says why.
 *
 * <p>Order: the timeout starts at once; then a slot of the shared admission pool (or a bounded wait
 * for one); then a breaker permit; then one attempt at catalyst-api, bounded by the time left. There
 * is never a second attempt: Mist retries on its own when it gets no answer, and the point is that
 * it gets one in time. Outcomes, and what the breaker records:
 * <ul>
 *   <li>{@code 200} — relayed ({@code proxied}); a success; stored for {@code last-known};</li>
 *   <li>{@code 5xx}, timeout, connect failure, reset, malformed or oversized answer — fallback; a
 *       failure (catalyst-api is sick);</li>
 *   <li>any other status — fallback ({@code upstream-status}); a success (catalyst-api is up and said
 *       no to the request, and Mist would count it as a failed attempt);</li>
 *   <li>breaker open, admission queue full or its wait over — fallback, without an attempt;</li>
 *   <li>Mist gone (it closed the connection) — everything is released, the permit abandoned.</li>
 * </ul>
 * Whatever ends the exchange frees the slot or queue place and settles the permit exactly once.
 *
 * <p>Confined to the event loop of Mist's connection: every method runs there (an admission grant
 * from another loop hops back with {@code loop.execute}), so fields need no synchronisation. Time is
 * the loop's {@link Ticker}, so tests drive it on a frozen {@code EmbeddedChannel} loop.
 */
final class TriggerExchange {

    private final TriggerService service;
    private final TriggerPolicy policy;
    private final String tag;
    private final String key;
    private final EventLoop loop;
    private final Ticker ticker;
    private final ByteBufAllocator alloc;
    private final FullHttpRequest request;
    private final Promise<Answer> response;
    private final long arrived;
    private final long deadline;
    private LoopTimer deadlineTimer;
    private LoopTimer queueTimer;
    private Admission.Waiter waiter;
    private boolean holdingSlot;
    private Breaker.Permit permit;
    private UpstreamAttempts.Attempt attempt;
    private int attempts;
    private long attemptStarted;
    private long upstreamNanos;
    private boolean done;

    /**
     * @param key the {@code last-known} key of this request, or {@code null} when the policy keeps none
     * @param request the request as it goes to catalyst-api; the exchange owns and releases it
     */
    TriggerExchange(TriggerService service, TriggerPolicy policy, String tag, String key, EventLoop loop,
                    ByteBufAllocator alloc, FullHttpRequest request) {
        this.service = service;
        this.policy = policy;
        this.tag = tag;
        this.key = key;
        this.loop = loop;
        this.ticker = loop.ticker();
        this.alloc = alloc;
        this.request = request;
        this.response = loop.newPromise();
        this.arrived = ticker.nanoTime();
        this.deadline = arrived + policy.timeout().toNanos();
    }

    /** Succeeds with the answer for Mist, whose owner the listener becomes. Never fails. */
    Future<Answer> response() {
        return response;
    }

    void start() {
        deadlineTimer = LoopTimers.schedule(loop, LoopTimers.Kind.TRIGGER_DEADLINE, this::onDeadline, remaining());
        Admission pool = service.admission();
        Admission.Waiter queued = new Admission.Waiter(this::grantedElsewhere);
        switch (pool.acquire(queued)) {
            case ADMITTED -> {
                holdingSlot = true;
                attempt();
            }
            case QUEUED -> {
                waiter = queued;
                long wait = pool.config().queueTimeout().toNanos();
                if (wait < remaining()) {
                    queueTimer = LoopTimers.schedule(loop, LoopTimers.Kind.QUEUE_WAIT, this::onQueueTimeout, wait);
                }
            }
            case REJECTED -> fallback(Decision.OVERLOAD);
        }
    }

    /** Runs on whichever thread freed the slot; the slot is ours from here on. */
    private void grantedElsewhere() {
        try {
            loop.execute(this::onGranted);
        } catch (RejectedExecutionException e) {
            service.admission().release(); // the loop is shutting down: nobody will use the slot
        }
    }

    private void onGranted() {
        waiter = null;
        holdingSlot = true;
        if (done) {
            releaseSlot();
            return;
        }
        cancel(queueTimer);
        queueTimer = null;
        attempt();
    }

    private void onQueueTimeout() {
        queueTimer = null;
        if (done || waiter == null || !waiter.abandon(service.admission())) {
            return; // granted meanwhile: onGranted is on its way
        }
        waiter = null;
        // A queue timer the loop ran after the deadline had passed: the deadline decides.
        fallback(remaining() == 0 ? Decision.TIMEOUT : Decision.QUEUE_TIMEOUT);
    }

    private void attempt() {
        if (remaining() == 0) {
            // A grant the loop ran late, after the deadline had passed and before the deadline's own
            // timer: an attempt now could only be cut, after reaching catalyst-api.
            fallback(Decision.TIMEOUT);
            return;
        }
        Breaker.Permit granted = service.breaker().tryAcquire();
        if (granted == null) {
            fallback(Decision.BREAKER_OPEN);
            return;
        }
        permit = granted;
        attempts++;
        attemptStarted = ticker.nanoTime();
        // Not replayable: catalyst-api may act on a trigger it read, though it closed without answering.
        UpstreamAttempts.Attempt started = service.attempts().start(loop, SendCopy.of(request), remaining(),
                                                                    null, false);
        attempt = started;
        started.result().addListener((Future<FullHttpResponse> f) -> onAttemptDone(started, f));
    }

    private void onAttemptDone(UpstreamAttempts.Attempt finished, Future<FullHttpResponse> f) {
        if (finished != attempt) {
            if (f.isSuccess()) {
                f.getNow().release(); // late: Mist was answered already
            }
            return;
        }
        attempt = null;
        upstreamNanos += ticker.nanoTime() - attemptStarted;
        Breaker.Permit held = permit;
        permit = null;
        if (!f.isSuccess()) {
            UpstreamFailure failure = f.cause() instanceof UpstreamException e ? e.failure() : UpstreamFailure.RESET;
            if (failure.upstreamsFault()) {
                held.failure(failure.reason()); // catalyst-api's own failure, whenever the loop got to it
            } else {
                held.abandon(); // mistguard's own lack of memory says nothing of catalyst-api
            }
            // A failure the loop ran after the deadline had passed, before the deadline's timer: the
            // deadline decides, as it would have had its timer run first.
            fallback(remaining() == 0 ? Decision.TIMEOUT : Decision.of(failure));
            return;
        }
        FullHttpResponse answer = f.getNow();
        int status = answer.status().code();
        if (status == 200) {
            held.success();
            remember(answer);
            TriggerAnswers.stripHopByHop(answer.headers());
            answer.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.content().readableBytes());
            finish(Answer.of(answer, Decision.PROXIED));
            return;
        }
        answer.release(); // Mist ignores a non-200's body (mist-api.md §5)
        if (status >= 500) {
            held.failure(Decision.UPSTREAM_5XX.token());
            fallback(Decision.UPSTREAM_5XX);
        } else {
            held.success();
            fallback(Decision.UPSTREAM_STATUS);
        }
    }

    private void remember(FullHttpResponse answer) {
        if (key != null) {
            service.lastKnown().put(key, new LastKnownAnswers.Stored(ByteBufUtil.getBytes(answer.content()),
                    answer.headers().get(HttpHeaderNames.CONTENT_TYPE), ticker.nanoTime()));
        }
    }

    private void onDeadline() {
        deadlineTimer = null;
        if (done) {
            return;
        }
        if (attempt != null) {
            UpstreamAttempts.Attempt current = attempt;
            attempt = null;
            upstreamNanos += ticker.nanoTime() - attemptStarted;
            // the trigger's own timeout: catalyst-api was too slow
            permit.failure(UpstreamFailure.TIMEOUT.reason());
            permit = null;
            current.cancel();
        }
        fallback(Decision.TIMEOUT);
    }

    /** Mist went away (it closed its connection): stop and free everything; nobody reads the answer. */
    void cancel() {
        if (done) {
            return;
        }
        if (attempt != null) {
            UpstreamAttempts.Attempt current = attempt;
            attempt = null;
            upstreamNanos += ticker.nanoTime() - attemptStarted; // the time it had spent at catalyst-api
            permit.abandon(); // says nothing about catalyst-api
            permit = null;
            current.cancel();
        }
        finish(ProxyResponses.rejection(alloc, UpstreamFailure.CANCELLED.status(), Decision.CANCELLED,
                                        "Mist closed the connection"));
    }

    /** The policy's fallback for {@code cause}: a young enough stored answer, else the fixed one. */
    private void fallback(Decision cause) {
        if (policy.fallback() == TriggerFallback.LAST_KNOWN && key != null) {
            LastKnownAnswers.Stored stored = service.lastKnown().get(key, ticker.nanoTime(), policy.maxAge().toNanos());
            if (stored != null) {
                finish(Answer.instead(TriggerAnswers.stored(stored), Decision.LAST_KNOWN, cause));
                return;
            }
        }
        finish(Answer.instead(TriggerAnswers.fixed(alloc, policy.fixedFallback()), Decision.FALLBACK, cause));
    }

    private void finish(Answer answer) {
        if (done) {
            answer.response().release();
            return;
        }
        done = true;
        cancel(deadlineTimer);
        cancel(queueTimer);
        if (waiter != null) {
            waiter.abandon(service.admission()); // if a grant won the race, onGranted frees the slot
            waiter = null;
        }
        releaseSlot();
        request.release();
        service.observer().answered(tag, answer.decision(), answer.staleCause(), ticker.nanoTime() - arrived);
        response.setSuccess(answer.onRoute(tag).withAttempts(attempts, upstreamNanos));
    }

    private void releaseSlot() {
        if (holdingSlot) {
            holdingSlot = false;
            service.admission().release();
        }
    }

    private long remaining() {
        return Math.max(0, deadline - ticker.nanoTime());
    }

    private static void cancel(LoopTimer timer) {
        if (timer != null) {
            timer.cancel();
        }
    }
}
