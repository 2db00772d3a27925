package io.mistguard.proxy.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The soak's invariants as counters: every check made is counted under its invariant's name, and
 * every failed one is kept (the first {@value #KEEP} of each invariant in full, the rest counted),
 * stamped with the seconds since the soak began and the chaos episode in force, so the run can fail
 * at the end with all of them listed, and a flood of one kind hides no other. Thread-safe: every
 * caller and the monitor check at once.
 */
final class Invariants {

    static final String BUDGET = "budget: no caller waits past its route budget + epsilon";
    static final String ANSWERED = "answered: every request gets an answer (outside the restart)";
    static final String DECISION = "decision-header: Mistguard-Decision on every answer";
    static final String TRUST = "trust: no remote caller is answered as local or shares a local answer";
    static final String DELIVERED = "invalidations: every accepted name reaches Mist after it was sent";
    static final String CONNECTIONS = "upstream-connections: never more than the configured bound";
    static final String PIPELINING = "no-pipelining: never a second request on a busy Mist connection";
    static final String RESOURCES = "bounded: heap, threads and file descriptors of mistguard";
    static final String LEAKS = "no-leak: Netty reports no leaked buffer in mistguard";
    static final String BLOCKING = "no-blocking: no blocking call on a mistguard event loop";
    static final String BREAKERS = "breakers: /admin/breakers agrees with the /metrics gauges";
    static final String COVERAGE = "coverage: every caller kind got Mist's (or catalyst-api's) answer on every route it calls";
    static final String FAULTS = "faults: sim-mist injected every fault kind of issue #14 at least once";
    static final String RESTART = "restart: SIGTERM stops cleanly (exit 0) and the next start is ready";

    private static final int KEEP = 25;

    private final long startNanos;
    private final Supplier<String> context;
    private final Map<String, AtomicLong> checks = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
    private final Map<String, List<String>> kept = new TreeMap<>();

    /** {@code context} describes what was going on (the chaos episode) when a check failed. */
    Invariants(long startNanos, Supplier<String> context) {
        this.startNanos = startNanos;
        this.context = context;
    }

    /** Counts a check of {@code invariant}; when {@code holds} is false, records {@code detail}. */
    boolean check(String invariant, boolean holds, Supplier<String> detail) {
        return checkAt(invariant, holds, System.nanoTime(), holds ? "" : context.get(), detail);
    }

    /** As {@link #check}, judged later: a failure is stamped with when it happened and what chaos was on then. */
    boolean checkAt(String invariant, boolean holds, long atNanos, String chaos, Supplier<String> detail) {
        checks.computeIfAbsent(invariant, k -> new AtomicLong()).incrementAndGet();
        if (!holds) {
            fail(invariant, detail.get(), atNanos, chaos);
        }
        return holds;
    }

    /** What was going on now, for a check judged later. */
    String context() {
        return context.get();
    }

    private void fail(String invariant, String detail, long atNanos, String chaos) {
        failures.computeIfAbsent(invariant, k -> new AtomicLong()).incrementAndGet();
        String line = String.format("[%7.1fs] %s: %s (chaos: %s)", (atNanos - startNanos) / 1e9,
                invariant.substring(0, invariant.indexOf(':')), detail, chaos);
        synchronized (kept) {
            List<String> mine = kept.computeIfAbsent(invariant, k -> new ArrayList<>());
            if (mine.size() < KEEP) {
                mine.add(line);
            }
        }
    }

    /** Checks made, per invariant, sorted by name. */
    Map<String, Long> checks() {
        Map<String, Long> out = new TreeMap<>();
        checks.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Failed checks, per invariant. */
    Map<String, Long> failures() {
        Map<String, Long> out = new TreeMap<>();
        failures.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    long failureCount() {
        return failures.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** The failures kept in full, by invariant, each invariant's in the order they happened. */
    List<String> violations() {
        synchronized (kept) {
            return kept.values().stream().flatMap(List::stream).toList();
        }
    }
}
