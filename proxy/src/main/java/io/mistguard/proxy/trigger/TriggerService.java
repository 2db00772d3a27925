package io.mistguard.proxy.trigger;

import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import io.mistguard.proxy.config.TriggersConfig;
import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.ProxyResponses;
import io.mistguard.proxy.policy.Admission;
import io.mistguard.proxy.policy.AdmissionSnapshot;
import io.mistguard.proxy.policy.Breaker;
import io.mistguard.proxy.policy.UpstreamAttempts;
import io.mistguard.proxy.time.Ticker;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * What every request of the trigger listener shares: the per-trigger policies, one breaker and one
 * admission pool on catalyst-api (catalyst-api is one process; when it is sick, it is sick for every
 * trigger), the {@code last-known} answers, the delivery queue of non-blocking triggers, and the
 * observer the meters listen through. It starts a {@link TriggerExchange} for each blocking trigger
 * and hands non-blocking ones to {@link TriggerDeliveries}.
 *
 * <p>Metric tags are bounded: a trigger name with a policy of its own is its own tag, any other name
 * Mist sends is {@link #OTHER}. Thread-safe: everything it holds is immutable or thread-safe itself.
 */
public final class TriggerService {

    /** The metric tag of trigger names without a policy of their own. */
    public static final String OTHER = "other";
    private static final DoubleSupplier RANDOM_JITTER = () -> ThreadLocalRandom.current().nextDouble();

    private final TriggersConfig config;
    private final UpstreamAttempts attempts;
    private final Breaker breaker;
    private final Admission admission;
    private final LastKnownAnswers lastKnown;
    private final TriggerDeliveries deliveries;
    private final TriggerObserver observer;
    /** This listener's id in {@code Mistguard-Via}: random per process, so a loop back here is recognised. */
    private final String via = "mistguard-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);

    /**
     * @param attempts      calls to catalyst-api (the real client, or scripted in tests)
     * @param deliveryLoop  the event loop the delivery queue lives on
     * @param ticker        the clock of the breaker's open time: the event loops' own ({@link Ticker#system()})
     * @param observer      where answers and deliveries are reported (the meters)
     */
    public TriggerService(TriggersConfig config, UpstreamAttempts attempts, EventLoop deliveryLoop, Ticker ticker,
                          TriggerObserver observer) {
        this(config, attempts, deliveryLoop, ticker, observer, RANDOM_JITTER);
    }

    TriggerService(TriggersConfig config, UpstreamAttempts attempts, EventLoop deliveryLoop, Ticker ticker,
                   TriggerObserver observer, DoubleSupplier jitter) {
        this.config = config;
        this.attempts = attempts;
        this.breaker = new Breaker(TriggersConfig.BREAKER_NAME, config.breaker(), ticker);
        this.admission = new Admission(TriggersConfig.BREAKER_NAME, config.admission());
        this.lastKnown = new LastKnownAnswers(config.lastKnownMaxEntries(), config.lastKnownMaxBytes());
        this.observer = observer;
        this.deliveries = new TriggerDeliveries(config.delivery(), attempts, breaker, deliveryLoop, jitter, observer);
    }

    /** This listener's id, which it appends to {@code Mistguard-Via} on every request it forwards. */
    String via() {
        return via;
    }

    /** The metric tag of a trigger name ({@code X-Trigger}). */
    public String tag(String trigger) {
        return trigger != null && config.policies().containsKey(trigger) ? trigger : OTHER;
    }

    /** Every tag a request can be counted under: the configured names, then {@link #OTHER}. */
    public List<String> tags() {
        return tags(config);
    }

    static List<String> tags(TriggersConfig config) {
        List<String> tags = new ArrayList<>(new TreeMap<>(config.policies()).keySet());
        tags.add(OTHER);
        return tags;
    }

    /** The policy of a tag ({@link #OTHER}: the default policy). */
    public TriggerPolicy policyOfTag(String tag) {
        return config.policy(tag.equals(OTHER) ? null : tag);
    }

    /**
     * Answers one trigger request from Mist. Called on {@code loop}, the event loop of Mist's
     * connection; takes ownership of {@code request} (hop-by-hop fields already removed).
     *
     * @return the answer, whose future always succeeds; {@link Exchange#cancel()} when Mist leaves
     */
    Exchange answer(EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request, String trigger) {
        String tag = tag(trigger);
        TriggerPolicy policy = config.policy(trigger);
        if (!policy.blocking()) {
            return queue(loop, request, tag);
        }
        String key = policy.fallback() == TriggerFallback.LAST_KNOWN
                ? TriggerAnswers.key(trigger, request.content(), policy.keyLines()) : null;
        TriggerExchange exchange = new TriggerExchange(this, policy, tag, key, loop, alloc, request);
        exchange.start();
        return new Exchange(exchange.response(), exchange::cancel);
    }

    /**
     * The answer to a trigger whose payload was over {@code triggers.max_request_bytes}, or
     * {@code null} for a non-blocking one (its 413 stands: Mist does not read the answer). A blocking
     * trigger gets {@code 200} and an empty body, {@code fallback; reason=body-too-large}: for a boolean
     * trigger a refusal, for {@code STREAM_SOURCE} "keep the configured source", for the push triggers
     * a refusal ({@link TriggerFallback#EMPTY}), whatever the policy's own fallback. The size is in the
     * caller's hands (USER_NEW's line 4 is the viewer's own request URL), so it must open nothing:
     * a 413 would be a failed attempt to Mist, which after 5 answers its default, {@code true}
     * (mist-api.md §5), and the policy's fallback ({@code otherwise: allow} in the shipped config)
     * would let such a viewer in at once (both found by review). Counted by the caller, which sends
     * it. Any thread.
     */
    Answer tooLargeToRead(ByteBufAllocator alloc, String trigger) {
        TriggerPolicy policy = config.policy(trigger);
        if (!policy.blocking()) {
            return null;
        }
        return Answer.instead(TriggerAnswers.fixed(alloc, TriggerFallback.EMPTY), Decision.FALLBACK,
                              Decision.BODY_TOO_LARGE).onRoute(tag(trigger));
    }

    private Exchange queue(EventLoop loop, FullHttpRequest request, String tag) {
        long arrived = loop.ticker().nanoTime();
        PendingTrigger pending = new PendingTrigger(tag, request.method(), request.uri(), request.headers(),
                                                    ByteBufUtil.getBytes(request.content()));
        request.release();
        Answer answer = deliveries.offer(pending) ? Answer.of(TriggerAnswers.queued(), Decision.QUEUED)
                : ProxyResponses.rejection(ByteBufAllocator.DEFAULT, HttpResponseStatus.SERVICE_UNAVAILABLE,
                                           Decision.TRIGGER_QUEUE_FULL, "the trigger delivery queue is full");
        observer.answered(tag, answer.decision(), null, loop.ticker().nanoTime() - arrived);
        return new Exchange(loop.newSucceededFuture(answer.onRoute(tag)), () -> { });
    }

    /** One trigger being answered: its answer, and how to stop it when Mist leaves. */
    record Exchange(Future<Answer> response, Runnable cancel) {
    }

    /** What the admin listener shows: the policies in force and the state of what they share. */
    public TriggerView view() {
        return new TriggerView(config, new TreeMap<>(config.policies()), breaker.snapshot(), admission.snapshot(),
                               deliveries.stats(), lastKnown.size(), lastKnown.bytes());
    }

    /**
     * Whether nothing is owed to catalyst-api: no trigger call at it or waiting for a slot, and no
     * non-blocking trigger still held for delivery. What a stop waits for ({@link TriggerListener#close}).
     * Any thread.
     */
    boolean idle() {
        AdmissionSnapshot calls = admission.snapshot();
        DeliveryStats deliveries = this.deliveries.stats();
        return calls.inFlight() == 0 && calls.queued() == 0 && deliveries.pending() == 0 && deliveries.inFlight() == 0;
    }

    /** Stops the delivery queue (what it still holds is logged as lost). */
    public void close() {
        deliveries.close();
    }

    TriggersConfig config() {
        return config;
    }

    UpstreamAttempts attempts() {
        return attempts;
    }

    Breaker breaker() {
        return breaker;
    }

    Admission admission() {
        return admission;
    }

    LastKnownAnswers lastKnown() {
        return lastKnown;
    }

    TriggerObserver observer() {
        return observer;
    }

    /** The shared breaker on catalyst-api, for operator views and tests. */
    public Breaker catalystBreaker() {
        return breaker;
    }

    Map<String, TriggerPolicy> policies() {
        return config.policies();
    }
}
