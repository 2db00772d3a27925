package io.mistguard.proxy.trigger;

import io.mistguard.proxy.config.TriggerDeliveryConfig;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.policy.Breaker;
import io.mistguard.proxy.policy.UpstreamAttempts;
import io.mistguard.proxy.time.Backoff;
import io.mistguard.proxy.upstream.UpstreamException;
import io.mistguard.proxy.upstream.UpstreamFailure;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded queue that delivers non-blocking triggers ({@code PUSH_END}, {@code STREAM_BUFFER},
 * {@code LIVE_TRACK_LIST}, {@code USER_END}; mist-api.md §5) to catalyst-api after Mist was answered.
 *
 * <p><b>Bounds.</b> At most {@code max_pending} triggers and {@code max_pending_bytes} bytes are held
 * (waiting, backing off or in flight); {@link #offer} refuses beyond that, so memory never grows
 * without bound. At most {@code max_concurrent} deliveries are at catalyst-api at once, each bounded
 * by {@code timeout} (its connection is closed on expiry).
 *
 * <p><b>Retries.</b> A delivery that fails (timeout, connection failure, 5xx) is sent again after a
 * backoff with full jitter ({@link Backoff}), byte for byte, so the {@code X-Trigger-UUID} stays the
 * same and catalyst-api can de-duplicate; after {@code max_attempts} it is dropped and logged. A 4xx
 * is catalyst-api refusing that trigger: dropped at once. While the shared breaker on catalyst-api is
 * open nothing is sent and no attempt is used up; the queue waits out the open time.
 *
 * <p><b>Threads.</b> {@link #offer} and the counters are thread-safe (atomics reserve the bounds on
 * the caller's thread); the queue itself lives on one event loop ({@code loop}), where every
 * delivery, timer and retry runs, so it needs no locks. Nothing is kept across a restart: triggers
 * still held at {@link #close} are logged as lost.
 */
final class TriggerDeliveries {

    private static final Logger log = LoggerFactory.getLogger(TriggerDeliveries.class);

    private final TriggerDeliveryConfig config;
    private final UpstreamAttempts attempts;
    private final Breaker breaker;
    private final EventLoop loop;
    private final Backoff backoff;
    private final TriggerObserver observer;
    private final ArrayDeque<PendingTrigger> ready = new ArrayDeque<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean closed;
    /** A pump is scheduled for when the breaker lets calls through again (on {@code loop}). */
    private boolean pumpScheduled;

    /**
     * @param loop   where the queue lives; a Netty event loop (a frozen {@code EmbeddedChannel} loop in tests)
     * @param jitter uniform samples in {@code [0, 1)} for the backoff; called on {@code loop} only
     */
    TriggerDeliveries(TriggerDeliveryConfig config, UpstreamAttempts attempts, Breaker breaker, EventLoop loop,
                      DoubleSupplier jitter, TriggerObserver observer) {
        this.config = config;
        this.attempts = attempts;
        this.breaker = breaker;
        this.loop = loop;
        this.backoff = new Backoff(config.initialBackoff(), config.maxBackoff(), jitter);
        this.observer = observer;
    }

    /**
     * Takes {@code trigger} for delivery; false (nothing held) when the queue is at one of its bounds
     * or stopping. Any thread.
     */
    boolean offer(PendingTrigger trigger) {
        if (closed || !reserve(trigger.weight)) {
            refused.incrementAndGet();
            return false;
        }
        try {
            loop.execute(() -> {
                ready.add(trigger);
                pump();
            });
            return true;
        } catch (RejectedExecutionException e) {
            unreserve(trigger.weight);
            refused.incrementAndGet();
            return false;
        }
    }

    private boolean reserve(long weight) {
        while (true) {
            int n = pending.get();
            if (n >= config.maxPending()) {
                return false;
            }
            if (pending.compareAndSet(n, n + 1)) {
                break;
            }
        }
        while (true) {
            long b = pendingBytes.get();
            if (b + weight > config.maxPendingBytes()) {
                pending.decrementAndGet();
                return false;
            }
            if (pendingBytes.compareAndSet(b, b + weight)) {
                return true;
            }
        }
    }

    private void unreserve(long weight) {
        pendingBytes.addAndGet(-weight);
        pending.decrementAndGet();
    }

    /** Starts deliveries while there are slots and waiting triggers. On {@code loop}. */
    private void pump() {
        while (!closed && inFlight.get() < config.maxConcurrent() && !ready.isEmpty()) {
            Breaker.Permit permit = breaker.tryAcquire();
            if (permit == null) {
                // Open: wait it out without using up an attempt, then try the oldest again.
                if (!pumpScheduled) {
                    pumpScheduled = true;
                    long wait = Math.max(breaker.remainingOpen().toNanos(), config.initialBackoff().toNanos());
                    loop.schedule(() -> {
                        pumpScheduled = false;
                        pump();
                    }, wait, TimeUnit.NANOSECONDS);
                }
                return;
            }
            deliver(ready.poll(), permit);
        }
    }

    private void deliver(PendingTrigger trigger, Breaker.Permit permit) {
        trigger.attempts++;
        inFlight.incrementAndGet();
        UpstreamAttempts.Attempt attempt = attempts.start(loop, trigger.request(), config.timeout().toNanos(), null, false);
        attempt.result().addListener((Future<FullHttpResponse> f) -> {
            inFlight.decrementAndGet();
            onDone(trigger, permit, f);
            pump();
        });
    }

    private void onDone(PendingTrigger trigger, Breaker.Permit permit, Future<FullHttpResponse> f) {
        if (f.isSuccess()) {
            int status = f.getNow().status().code();
            f.getNow().release();
            if (status >= 200 && status < 300) {
                permit.success();
                finished(trigger, TriggerObserver.DeliveryOutcome.DELIVERED);
            } else if (status >= 500) {
                permit.failure(Decision.UPSTREAM_5XX.token());
                retryOrDrop(trigger, "status " + status);
            } else {
                permit.success();
                log.warn("trigger {} {}: catalyst-api refused it with status {}; dropped", trigger.tag,
                         trigger.uuid(), status);
                finished(trigger, TriggerObserver.DeliveryOutcome.DROPPED);
            }
            return;
        }
        UpstreamFailure failure = f.cause() instanceof UpstreamException e ? e.failure() : UpstreamFailure.RESET;
        if (failure == UpstreamFailure.CANCELLED) {
            permit.abandon(); // stopped by close()
            finished(trigger, TriggerObserver.DeliveryOutcome.DROPPED);
            return;
        }
        if (failure.upstreamsFault()) {
            permit.failure(failure.reason());
        } else {
            permit.abandon(); // mistguard's own lack of memory says nothing of catalyst-api
        }
        retryOrDrop(trigger, failure.reason());
    }

    private void retryOrDrop(PendingTrigger trigger, String why) {
        if (closed || trigger.attempts >= config.maxAttempts()) {
            log.warn("trigger {} {}: delivery failed {} time(s), last: {}; dropped", trigger.tag, trigger.uuid(),
                     trigger.attempts, why);
            finished(trigger, TriggerObserver.DeliveryOutcome.DROPPED);
            return;
        }
        retried.incrementAndGet();
        observer.delivery(trigger.tag, TriggerObserver.DeliveryOutcome.RETRIED);
        loop.schedule(() -> {
            ready.addFirst(trigger); // oldest first: it was taken before anything still waiting
            pump();
        }, backoff.delayNanos(trigger.attempts), TimeUnit.NANOSECONDS);
    }

    private void finished(PendingTrigger trigger, TriggerObserver.DeliveryOutcome outcome) {
        unreserve(trigger.weight);
        (outcome == TriggerObserver.DeliveryOutcome.DELIVERED ? delivered : dropped).incrementAndGet();
        observer.delivery(trigger.tag, outcome);
    }

    /** Stops taking and sending; what is still held is logged as lost. Any thread. */
    void close() {
        closed = true;
        int held = pending.get();
        if (held > 0) {
            log.warn("trigger delivery queue stopping with {} non-blocking trigger(s) undelivered; they are lost", held);
        }
    }

    /** Counters and gauges, for the admin view and meters; any thread. */
    DeliveryStats stats() {
        return new DeliveryStats(pending.get(), pendingBytes.get(), inFlight.get(), delivered.get(), retried.get(),
                                 dropped.get(), refused.get());
    }

    /** How long a delivery may take, for views. */
    Duration timeout() {
        return config.timeout();
    }
}
