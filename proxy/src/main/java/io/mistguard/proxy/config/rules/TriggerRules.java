package io.mistguard.proxy.config.rules;

import io.mistguard.proxy.config.Durations;
import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import io.mistguard.proxy.config.TriggersConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pre-deploy rule {@code mistguard check-config} enforces on the {@code triggers:} section: every
 * blocking trigger's {@code timeout} must be below Mist's 5 s attempt (mist-api.md §5). Otherwise
 * Mist gives up on the attempt before mistguard answers, tries again (5 attempts) and finally uses
 * its own default, {@code true} — the 25-second, fail-open path this listener exists to close.
 * Also prints the trigger table. Stateless.
 */
public final class TriggerRules {

    private static final String FORMAT = "%-16s %-9s %-8s %-11s %-9s %-8s %-9s %s";
    private static final String NONE = "-";

    private TriggerRules() {}

    /** Every broken rule, in trigger-name order, the default policy last; empty without a listener. */
    public static List<String> failures(TriggersConfig triggers) {
        List<String> failures = new ArrayList<>();
        if (!triggers.enabled()) {
            return failures;
        }
        table(triggers).forEach((name, policy) -> {
            if (policy.blocking() && policy.timeout().compareTo(TriggersConfig.MIST_ATTEMPT) >= 0) {
                failures.add("trigger " + name + ": timeout " + Durations.format(policy.timeout())
                             + " is not below Mist's 5s attempt, so Mist retries (5 x 5s) and then uses its own "
                             + "default answer, true (expected: < 5s)");
            }
        });
        return failures;
    }

    /** The trigger table as {@code check-config} prints it; empty without a listener. */
    public static List<String> report(TriggersConfig triggers) {
        List<String> lines = new ArrayList<>();
        if (!triggers.enabled()) {
            return lines;
        }
        lines.add("triggers: listen " + triggers.listen() + " -> " + triggers.upstream());
        lines.add(String.format(FORMAT, "TRIGGER", "BLOCKING", "TIMEOUT", "FALLBACK", "OTHERWISE", "MAX-AGE",
                                "KEY-LINES", "VERDICT"));
        table(triggers).forEach((name, p) -> lines.add(row(name, p)));
        var d = triggers.delivery();
        lines.add("non-blocking triggers: answered 200 at once, then delivered with delivery.timeout "
                  + Durations.format(d.timeout()) + ", max_attempts " + d.maxAttempts() + ", backoff "
                  + Durations.format(d.initialBackoff()) + ".." + Durations.format(d.maxBackoff()) + ", max_pending "
                  + d.maxPending() + "; timeout and fallback do not apply to them");
        return lines;
    }

    /**
     * One row, showing only what applies: a non-blocking trigger has no timeout or fallback of its
     * own (the delivery settings apply), and only a {@code last-known} policy has an otherwise, a
     * maximum age and key lines.
     */
    private static String row(String name, TriggerPolicy p) {
        if (!p.blocking()) {
            return String.format(FORMAT, name, false, NONE, "queued", NONE, NONE, NONE, "ok");
        }
        boolean lastKnown = p.fallback() == TriggerFallback.LAST_KNOWN;
        return String.format(FORMAT, name, true, Durations.format(p.timeout()), p.fallback().configName(),
                lastKnown ? p.otherwise().configName() : NONE, lastKnown ? Durations.format(p.maxAge()) : NONE,
                lastKnown ? keyLines(p.keyLines()) : NONE,
                p.timeout().compareTo(TriggersConfig.MIST_ATTEMPT) >= 0 ? "TIMEOUT >= 5s" : "ok");
    }

    /** {@code 0,5}, or {@code all} for the whole payload. */
    private static String keyLines(List<Integer> lines) {
        if (lines.isEmpty()) {
            return "all";
        }
        StringBuilder out = new StringBuilder();
        for (int line : lines) {
            out.append(out.length() == 0 ? "" : ",").append(line);
        }
        return out.toString();
    }

    /** The named policies by name, then the default one as {@code *}. */
    private static Map<String, TriggerPolicy> table(TriggersConfig triggers) {
        Map<String, TriggerPolicy> all = new TreeMap<>(triggers.policies());
        Map<String, TriggerPolicy> ordered = new java.util.LinkedHashMap<>(all);
        ordered.put("*", triggers.defaultPolicy());
        return ordered;
    }
}
