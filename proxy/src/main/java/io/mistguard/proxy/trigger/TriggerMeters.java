package io.mistguard.proxy.trigger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mistguard.proxy.config.TriggersConfig;
import io.mistguard.proxy.exchange.Decision;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The trigger listener's meters, registered once in {@link #bindTo} (the metrics registry's hook):
 * <ul>
 *   <li>{@code mistguard_trigger_seconds{trigger}} — arrival to answer, with bucket boundaries at the
 *       trigger's own {@code timeout} and at Mist's 5 s attempt (mist-api.md §6: buckets line up with
 *       the timeouts they tune), so "answered within the timeout" is one bucket read;</li>
 *   <li>{@code mistguard_trigger_decisions_total{trigger, decision, reason}} — {@code proxied},
 *       {@code queued}, {@code fallback} / {@code last-known} by cause ({@code timeout},
 *       {@code connect-refused}, {@code upstream-5xx}, {@code breaker-open}, …), {@code trigger-queue-full},
 *       {@code cancelled}, and the listener's own refusals ({@code bad-request}, {@code uri-too-long},
 *       {@code header-too-large}, {@code body-too-large}, {@code loop-detected}, {@code request-timeout},
 *       and connections turned away, {@code too-many-connections}); reason {@code none}
 *       where there is no cause;</li>
 *   <li>{@code mistguard_trigger_deliveries_total{trigger, outcome}} — delivered, retried, dropped;</li>
 *   <li>gauges of what the triggers share: breaker state (0 closed, 1 open, 2 half-open), admission
 *       slots held and waiters, deliveries pending, last-known answers stored.</li>
 * </ul>
 * Tags are bounded: configured trigger names and {@code other}. Answers reported before
 * {@code bindTo} are not counted. Thread-safe: Micrometer meters, maps filled once and then only read.
 */
public final class TriggerMeters implements TriggerObserver, MeterBinder {

    /** Boundaries every trigger has, in step with the route histograms ({@code metrics/RouteTimers}). */
    static final List<Duration> STANDARD = List.of(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10));
    /**
     * Why a fallback or last-known answer was given: each failure a trigger call can end in, and a
     * blocking trigger's payload too large to read ({@link TriggerService#tooLargeToRead}).
     */
    static final List<Decision> CAUSES = List.of(Decision.TIMEOUT, Decision.CONNECT_REFUSED, Decision.CONNECT_TIMEOUT,
            Decision.UPSTREAM_RESET, Decision.BAD_RESPONSE, Decision.RESPONSE_TOO_LARGE, Decision.OUT_OF_MEMORY, Decision.BREAKER_OPEN,
            Decision.OVERLOAD, Decision.QUEUE_TIMEOUT, Decision.UPSTREAM_5XX, Decision.UPSTREAM_STATUS,
            Decision.BODY_TOO_LARGE);
    /** Decisions counted with reason {@code none}: answers, and the listener's own refusals. */
    static final List<Decision> WITHOUT_CAUSE = List.of(Decision.PROXIED, Decision.QUEUED, Decision.TRIGGER_QUEUE_FULL,
            Decision.CANCELLED, Decision.BAD_REQUEST, Decision.URI_TOO_LONG, Decision.HEADER_TOO_LARGE,
            Decision.BODY_TOO_LARGE, Decision.REQUEST_OUT_OF_MEMORY, Decision.EXPECTATION_FAILED, Decision.LOOP_DETECTED, Decision.REQUEST_TIMEOUT,
            Decision.TOO_MANY_CONNECTIONS);
    private static final String NONE = "none";

    private final TriggersConfig config;
    private final List<String> tags;
    private final Supplier<TriggerView> view;
    private volatile Bound bound;

    /** @param view read at every scrape for the gauges (the service's {@link TriggerService#view()}) */
    public TriggerMeters(TriggersConfig config, List<String> tags, Supplier<TriggerView> view) {
        this.config = config;
        this.tags = List.copyOf(tags);
        this.view = view;
    }

    /** The meters of one registry, all registered at once. */
    private record Bound(Map<String, Timer> timers, Map<String, Map<Decision, Map<Decision, Counter>>> decisions,
                         Map<String, Map<DeliveryOutcome, Counter>> deliveries) {
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Map<String, Timer> timers = new HashMap<>();
        Map<String, Map<Decision, Map<Decision, Counter>>> decisions = new HashMap<>();
        Map<String, Map<DeliveryOutcome, Counter>> deliveries = new HashMap<>();
        for (String tag : tags) {
            timers.put(tag, Timer.builder("mistguard.trigger").description("Time from a trigger's arrival to its answer")
                    .tag("trigger", tag).serviceLevelObjectives(buckets(tag)).register(registry));
            Map<Decision, Map<Decision, Counter>> byDecision = new EnumMap<>(Decision.class);
            for (Decision d : WITHOUT_CAUSE) {
                Map<Decision, Counter> none = new HashMap<>();
                none.put(null, counter(registry, tag, d, NONE));
                byDecision.put(d, none);
            }
            for (Decision d : List.of(Decision.FALLBACK, Decision.LAST_KNOWN)) {
                Map<Decision, Counter> byCause = new EnumMap<>(Decision.class);
                CAUSES.forEach(c -> byCause.put(c, counter(registry, tag, d, c.token())));
                byDecision.put(d, byCause);
            }
            decisions.put(tag, byDecision);
            Map<DeliveryOutcome, Counter> outcomes = new EnumMap<>(DeliveryOutcome.class);
            for (DeliveryOutcome o : DeliveryOutcome.values()) {
                outcomes.put(o, Counter.builder("mistguard.trigger.deliveries")
                        .description("Delivery attempts of non-blocking triggers, by outcome").tag("trigger", tag)
                        .tag("outcome", o.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
            }
            deliveries.put(tag, outcomes);
        }
        gauge(registry, "mistguard.trigger.breaker.state", "catalyst-api breaker: 0 closed, 1 open, 2 half-open",
              v -> v.breaker().stateNumber());
        gauge(registry, "mistguard.trigger.admission.inflight", "Trigger calls at catalyst-api now",
              v -> v.admission().inFlight());
        gauge(registry, "mistguard.trigger.admission.queued", "Trigger calls waiting for a slot",
              v -> v.admission().queued());
        gauge(registry, "mistguard.trigger.deliveries.pending", "Non-blocking triggers held for delivery",
              v -> v.delivery().pending());
        gauge(registry, "mistguard.trigger.last.known.entries", "Answers stored for last-known fallbacks",
              v -> v.lastKnownEntries());
        bound = new Bound(timers, decisions, deliveries);
    }

    private Duration[] buckets(String tag) {
        TreeSet<Duration> all = new TreeSet<>(STANDARD);
        all.add(policyTimeout(tag));
        all.add(TriggersConfig.MIST_ATTEMPT);
        return all.toArray(Duration[]::new);
    }

    private Duration policyTimeout(String tag) {
        return config.policy(tag.equals(TriggerService.OTHER) ? null : tag).timeout();
    }

    private static Counter counter(MeterRegistry registry, String tag, Decision decision, String reason) {
        return Counter.builder("mistguard.trigger.decisions").description("Trigger answers by decision and reason")
                .tag("trigger", tag).tag("decision", decision.token()).tag("reason", reason).register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String help, ToDoubleFunction<TriggerView> value) {
        // Held strongly: Micrometer keeps only weak references to what a gauge reads.
        Gauge.builder(name, this, m -> value.applyAsDouble(m.view.get())).description(help).strongReference(true)
             .register(registry);
    }

    @Override
    public void answered(String tag, Decision decision, Decision cause, long nanos) {
        Bound b = bound;
        if (b == null) {
            return;
        }
        Timer timer = b.timers().get(tag);
        if (timer != null) {
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
        Map<Decision, Map<Decision, Counter>> byDecision = b.decisions().get(tag);
        Map<Decision, Counter> byCause = byDecision == null ? null : byDecision.get(decision);
        Counter counter = byCause == null ? null : byCause.get(cause);
        if (counter != null) {
            counter.increment();
        }
    }

    @Override
    public void delivery(String tag, DeliveryOutcome outcome) {
        Bound b = bound;
        Map<DeliveryOutcome, Counter> outcomes = b == null ? null : b.deliveries().get(tag);
        if (outcomes != null) {
            outcomes.get(outcome).increment();
        }
    }
}
