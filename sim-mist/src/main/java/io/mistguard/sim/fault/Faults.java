package io.mistguard.sim.fault;

import io.mistguard.sim.api.MistRequest;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The active fault rules of one sim-mist. The first rule (in insertion order) that matches a request,
 * passes its probability and still has uses left decides the request's fault. Counts, per action,
 * the requests a rule was applied to. Thread-safe: the event loops match while tests, the control
 * endpoint and a {@link ChaosRunner} add, remove and clear.
 */
public final class Faults {

    private final List<Active> rules = new CopyOnWriteArrayList<>();
    private final AtomicLongArray injected = new AtomicLongArray(FaultAction.values().length);
    private volatile CompletableFuture<Void> cleared = new CompletableFuture<>();

    /** Adds a rule after the existing ones; returns this for chaining. */
    public Faults add(FaultRule rule) {
        rules.add(new Active(rule, new AtomicInteger(rule.times())));
        return this;
    }

    /**
     * Removes this rule (the same instance that was added) if it is still active. A lock it holds
     * through {@code hangHoldingLock} stays held until that request's connection closes, as a hung
     * Mist's would; only {@link #clear()} lets it go.
     */
    public void remove(FaultRule rule) {
        rules.removeIf(a -> a.rule() == rule);
    }

    /**
     * Requests each action was applied to since this sim-mist started ({@link #clear()} keeps the
     * counts); actions never applied are left out.
     */
    public Map<FaultAction, Long> injected() {
        Map<FaultAction, Long> out = new EnumMap<>(FaultAction.class);
        for (FaultAction a : FaultAction.values()) {
            long n = injected.get(a.ordinal());
            if (n > 0) {
                out.put(a, n);
            }
        }
        return out;
    }

    /** Removes every rule and releases any lock held by {@code hangHoldingLock}. */
    public void clear() {
        rules.clear();
        CompletableFuture<Void> old = cleared;
        cleared = new CompletableFuture<>();
        old.complete(null);
    }

    /** The rules still active, in matching order. */
    public List<FaultRule> rules() {
        return rules.stream().map(Active::rule).toList();
    }

    /** Completes on the next {@link #clear()}; a lock-holding hang on the API port waits on it. */
    public CompletableFuture<Void> clearedSignal() {
        return cleared;
    }

    /**
     * The fault for this request, consuming one use of a counted rule; {@code null} for none. Called
     * by the API port for every request it reads.
     */
    public FaultRule match(MistRequest request) {
        for (Active a : rules) {
            if (!a.rule().matches(request) || !a.rule().rollDice()) {
                continue;
            }
            if (a.rule().times() == 0) {
                return counted(a.rule());
            }
            int left = a.remaining().getAndDecrement();
            if (left <= 1) {
                rules.remove(a);
            }
            if (left >= 1) {
                return counted(a.rule());
            }
        }
        return null;
    }

    private FaultRule counted(FaultRule rule) {
        injected.incrementAndGet(rule.action().ordinal());
        return rule;
    }

    private record Active(FaultRule rule, AtomicInteger remaining) {
    }
}
