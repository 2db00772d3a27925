package io.mistguard.proxy.soak;

import io.mistguard.sim.fault.FaultAction;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a chaos soak did and found, rendered for the build log and {@code target/soak/report.txt}:
 * requests per caller kind, answers per route and decision, faults injected by kind, invalidations
 * accepted and delivered, restarts, connections to Mist against their bound, resource samples,
 * stalls of both JVMs, the timeline, invariant checks made and failed, and every violation kept.
 * Immutable.
 */
record SoakReport(SoakSettings settings, Duration took, Invariants invariants, Tally tally, InvalidationLedger ledger,
                  Map<FaultAction, Long> injected, Map<FaultAction, Long> episodes, int restarts, int stateFileNames,
                  List<ResourceSample> samples, int connectionBound, int peakConnections, long pipelined,
                  StallLog soakStalls, StallLog mistguardStalls, long loopsWaitedMillis, List<String> credited,
                  List<String> timeline) {

    long violations() {
        return invariants.failureCount();
    }

    String render() {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        out.printf("=== chaos soak: seed %d, planned %s, took %ds ===%n", settings.seed(), settings.length(),
                took.toSeconds());
        timeline.forEach(out::println);
        section(out, "requests per caller kind", tally.under("requests/"));
        section(out, "answers per route, status and decision", tally.under("decisions/"));
        section(out, "2xx answers from upstream, per caller kind and route", tally.under("served/"));
        section(out, "faults injected by sim-mist (requests hit, per action)", injected);
        section(out, "fault kinds the plan never injected, played at the end (encore)", tally.under("encore/"));
        section(out, "chaos episodes (per action)", episodes);
        section(out, "catalyst-api stub answers (per mood)", tally.under("catalyst-api/"));
        out.printf("invalidations: %d names accepted (%d distinct) and checked delivered; %d names crossed the "
                + "restart in the state file%n", ledger.accepts(), ledger.latest().size(), stateFileNames);
        out.printf("restarts (SIGTERM + start): %d%n", restarts);
        out.printf("connections to Mist: at most %d open at once (bound %d); pipelined requests at Mist: %d%n",
                peakConnections, connectionBound, pipelined);
        samples.forEach(s -> out.println("resources: " + s));
        out.printf("stalls (not scheduled, GC included): soak JVM %d, worst %d ms, %d ms in all; mistguard %d, "
                + "worst %d ms, %d ms in all%n", soakStalls.count(), soakStalls.worstMillis(), soakStalls.totalMillis(),
                mistguardStalls.count(), mistguardStalls.worstMillis(), mistguardStalls.totalMillis());
        out.printf("mistguard's event loops waited for a core: %d ms in all%n", loopsWaitedMillis);
        section(out, "longest wait past the budget, in ms, per route (negative: always within it)",
                tally.maxima("past-budget/"));
        section(out, "late past epsilon, but not by more than the machine's stalls overlapping it (per route)",
                tally.under("late-within-measured-stalls/"));
        credited.forEach(c -> out.println("  credited: " + c));
        section(out, "answers from a mistguard not yet ready after its start (not held to the budget), per route",
                tally.under("answered-while-starting/"));
        section(out, "  their longest wait past the budget, in ms", tally.maxima("past-budget-while-starting/"));
        section(out, "no answer while mistguard restarted (expected, per caller kind)",
                tally.under("no-answer-during-restart/"));
        section(out, "soak bookkeeping", merged(tally.under("sample/"), tally.under("monitor/")));
        section(out, "invariant checks made", invariants.checks());
        section(out, "invariant checks failed", invariants.failures());
        List<String> kept = invariants.violations();
        out.printf("violations: %d%s%n", violations(), kept.size() < violations()
                ? " (" + kept.size() + " listed: the first of each invariant)" : "");
        kept.forEach(v -> out.println("  " + v));
        out.flush();
        return text.toString();
    }

    private static void section(PrintWriter out, String title, Map<?, Long> counts) {
        out.println(title + ":");
        if (counts.isEmpty()) {
            out.println("  (none)");
        }
        counts.forEach((k, v) -> out.printf("  %8d  %s%n", v, k));
    }

    private static Map<String, Long> merged(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> out = new java.util.TreeMap<>(a);
        out.putAll(b);
        return out;
    }
}
