package io.mistguard.proxy.cache;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.exchange.ProxyResponses;
import io.mistguard.proxy.time.LoopTimer;
import io.mistguard.proxy.time.LoopTimers;
import io.mistguard.proxy.upstream.UpstreamFailure;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;

/**
 * One caller of a cached read route: answered from a fresh entry, from an entry being revalidated,
 * or by a {@link SharedCall} it starts or joins — and, when that call fails, from the last good
 * entry within {@code stale.max_age}, else with the call's own failure.
 *
 * <p>Its own deadline (the route budget, shortened by a deadline header) is enforced by a timer only
 * when it ends before the shared call's, which always answers by its own. Whatever ends it — answer,
 * deadline, caller gone — happens once.
 *
 * <p>Confined to the caller's event loop: a shared result from another loop hops here with
 * {@code execute}, so fields need no synchronisation.
 */
final class ReadExchange implements Forwarder.Exchange {

    private final ReadRoute route;
    private final SharedOrigin origin;
    private final EventLoop loop;
    private final ByteBufAllocator alloc;
    private final FullHttpRequest request;
    private final String key;
    private final boolean commandReply;
    private final long arrived;
    private final long deadline;
    private final Promise<Answer> response;
    private SharedCall.Waiter waiting;
    /** Whether this caller started {@link #waiting}'s call: the call's time at Mist is its alone. */
    private boolean starter;
    private LoopTimer timer;
    private boolean done;

    ReadExchange(ReadRoute route, SharedOrigin origin, EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request,
                 String key, boolean commandReply, long arrived, long deadline) {
        this.route = route;
        this.origin = origin;
        this.loop = loop;
        this.alloc = alloc;
        this.request = request;
        this.key = key;
        this.commandReply = commandReply;
        this.arrived = arrived;
        this.deadline = deadline;
        this.response = loop.newPromise();
    }

    @Override
    public Future<Answer> response() {
        return response;
    }

    void start() {
        StoredReply stored = route.usable(key, arrived);
        if (stored != null) {
            if (route.isFresh(stored, arrived)) {
                request.release();
                route.stats().fresh.increment();
                finish(CachedAnswers.fresh(stored, arrived));
            } else {
                route.refresh(key, origin, loop, alloc, request, arrived, commandReply); // takes the request
                route.stats().revalidating.increment();
                finish(CachedAnswers.revalidating(stored, arrived));
            }
            return;
        }
        SharedCall mine = route.newCall(key, loop, arrived, deadline);
        SharedCall.Waiter me = route.coalescing() ? route.calls().joinOrRegister(key, mine, deadline) : mine.starter();
        boolean starter = me.call() == mine;
        if (starter) {
            route.startCall(mine, origin, alloc, request, arrived, commandReply);
        } else {
            request.release(); // the starter's request speaks for us
            route.stats().coalesced.increment();
        }
        wait(me, starter);
    }

    private void wait(SharedCall.Waiter me, boolean starter) {
        waiting = me;
        this.starter = starter;
        SharedCall shared = me.call();
        if (deadline < shared.deadline()) {
            timer = LoopTimers.schedule(loop, LoopTimers.Kind.READ_DEADLINE, this::onDeadline,
                    deadline - route.now());
        }
        shared.result().addListener((Future<SharedResult> f) -> {
            if (shared.loop() == loop) {
                onResult(f.getNow());
                return;
            }
            try {
                loop.execute(() -> onResult(f.getNow()));
            } catch (RejectedExecutionException e) {
                // our loop is shutting down: the caller's connection goes with it
            }
        });
    }

    private void onResult(SharedResult result) {
        if (done) {
            return;
        }
        if (result.decision().rejected() && timer != null && deadline - route.now() <= 0) {
            // The shared call got no answer from Mist, and the loop ran that after this caller's own,
            // earlier deadline had passed but before the deadline's timer: the deadline decides, as
            // when its timer runs first. (An answer from Mist is still given: it is what the caller
            // waited for.)
            endAtOwnDeadline(result);
            return;
        }
        // The time at Mist is the starter's alone: joiners made no call of their own. A stale answer
        // still says what the failed call did (its attempts, and the starter's time at Mist).
        long upstreamNanos = starter ? result.upstreamNanos() : 0;
        Answer stale = result.failure() == null ? null : route.stale(key, result.failure());
        finish(stale != null ? stale.withAttempts(result.attempts(), upstreamNanos)
                             : CachedAnswers.shared(result, starter, upstreamNanos));
    }

    private void onDeadline() {
        timer = null;
        if (done) {
            return;
        }
        endAtOwnDeadline(null); // the call goes on: what it has done so far
    }

    /**
     * The answer of this caller's own deadline, which is earlier than the shared call's.
     *
     * @param ended the call's result if it has ended (its attempts, which every caller sees, and its
     *              time at Mist, which is the starter's alone), else null: the call goes on, and the
     *              answer reports what it has done so far (attempts started, and for the starter its
     *              time at Mist up to now)
     */
    private void endAtOwnDeadline(SharedResult ended) {
        waiting.leave(); // the last caller out ends the call: nobody else wants its answer
        // Only a deadline shorter than the shared call's has a timer, so this is the caller's own.
        Answer stale = route.stale(key, Decision.CALLER_DEADLINE);
        Answer answer = stale != null ? stale : ProxyResponses.rejection(alloc, UpstreamFailure.TIMEOUT.status(),
                Decision.CALLER_DEADLINE, "no answer within the caller's own deadline (route " + route.name() + ')');
        finish(ended == null ? soFar(answer)
                             : answer.withAttempts(ended.attempts(), starter ? ended.upstreamNanos() : 0));
    }

    @Override
    public void cancel() {
        if (done) {
            return;
        }
        Answer gone = ProxyResponses.rejection(alloc, UpstreamFailure.CANCELLED.status(), Decision.CANCELLED,
                                               "the caller went away");
        if (waiting != null) {
            waiting.leave();
            gone = soFar(gone); // for its log line, as a deadline's
        }
        finish(gone);
    }

    /** {@code answer} with what the shared call has done so far: its attempts, and the starter's time at Mist. */
    private Answer soFar(Answer answer) {
        SharedCall call = waiting.call();
        return answer.withAttempts(call.attemptsStarted(), starter ? call.upstreamNanosSoFar(route.now()) : 0);
    }

    /** Answers the caller, once, and counts the answer and its wait with the route's decisions and latency. */
    private void finish(Answer answer) {
        if (done) {
            answer.response().release();
            return;
        }
        done = true;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        route.observer().answered(answer.decision(), route.now() - arrived, answer.decision() == Decision.STALE
                ? Duration.ofSeconds(answer.response().headers().getInt(HttpHeaderNames.AGE, 0)) : null);
        response.setSuccess(answer.onRoute(route.name()));
    }
}
