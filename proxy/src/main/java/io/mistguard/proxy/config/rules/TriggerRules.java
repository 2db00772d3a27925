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

    private static final String FORMAT = "%-16s %-9s %-8s %-11s %-9s %-8s %s";

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
                                "VERDICT"));
        table(triggers).forEach((name, p) -> lines.add(String.format(FORMAT, name, p.blocking(),
                Durations.format(p.timeout()), p.fallback().configName(),
                p.fallback() == TriggerFallback.LAST_KNOWN ? p.otherwise().configName() : "-",
                p.fallback() == TriggerFallback.LAST_KNOWN ? Durations.format(p.maxAge()) : "-",
                p.blocking() && p.timeout().compareTo(TriggersConfig.MIST_ATTEMPT) >= 0 ? "TIMEOUT >= 5s" : "ok")));
        return lines;
    }

    /** The named policies by name, then the default one as {@code *}. */
    private static Map<String, TriggerPolicy> table(TriggersConfig triggers) {
        Map<String, TriggerPolicy> all = new TreeMap<>(triggers.policies());
        Map<String, TriggerPolicy> ordered = new java.util.LinkedHashMap<>(all);
        ordered.put("*", triggers.defaultPolicy());
        return ordered;
    }
}
