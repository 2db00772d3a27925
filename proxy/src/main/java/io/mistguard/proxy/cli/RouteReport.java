package io.mistguard.proxy.cli;

import io.mistguard.proxy.config.Durations;
import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.config.RouteMatch;
import io.mistguard.proxy.config.rules.RouteRules;
import io.mistguard.proxy.config.rules.WorstCase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The effective route table as {@code check-config} prints it: one row per route with its timeouts,
 * attempts, worst case (the unbounded sum and what the route's timeout enforces), caller budget and
 * verdict ({@link RouteRules}, the rules behind the exit status).
 * Columns are padded to their widest cell. Stateless.
 */
final class RouteReport {

    private static final List<String> HEADER = List.of("ROUTE", "KIND", "MATCH", "TIMEOUT", "PER-TRY", "ATTEMPTS",
            "WORST(SUM)", "WORST(ENFORCED)", "CALLER", "VERDICT");

    private RouteReport() {}

    static List<String> lines(PolicyConfig policy) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        for (RouteConfig route : policy.routes()) {
            WorstCase worst = WorstCase.of(route, policy);
            boolean queued = route.kind() == io.mistguard.proxy.config.RouteKind.QUEUED;
            rows.add(List.of(route.name(), route.kind().configName() + (queued ? "+" : ""), match(route.match()),
                    fmt(route.timeout()), fmt(route.perTryTimeout()), String.valueOf(worst.attempts()),
                    fmt(worst.sum()) + (worst.cutByTimeout() ? "*" : ""), fmt(worst.enforced()),
                    route.callerTimeout() == null ? "-" : fmt(route.callerTimeout()), verdict(route, policy)));
        }
        int[] widths = new int[HEADER.size()];
        rows.forEach(row -> {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        });
        List<String> lines = new ArrayList<>();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + widths[i] + "s  ", row.get(i)));
            }
            lines.add(line.toString().stripTrailing());
        }
        if (policy.routes().stream().anyMatch(r -> WorstCase.of(r, policy).cutByTimeout())) {
            lines.add("* the sum exceeds the route's timeout, which cuts every request there (information only)");
        }
        if (policy.routes().stream().anyMatch(r -> r.kind() == io.mistguard.proxy.config.RouteKind.QUEUED)) {
            lines.add("+ answered at once by the invalidation queue; the other columns apply only to what still goes"
                      + " to Mist (remote callers, commands the queue cannot read)");
        }
        return lines;
    }

    /** The same rules {@code check-config}'s exit status comes from, route by route. */
    private static String verdict(RouteConfig route, PolicyConfig policy) {
        return RouteRules.failures(route, policy).isEmpty() ? "ok" : "FAIL";
    }

    static String match(RouteMatch m) {
        if (m.matchesAll()) {
            return "*";
        }
        List<String> parts = new ArrayList<>();
        if (m.method() != null) {
            parts.add(m.method());
        }
        if (m.path() != null) {
            parts.add(m.path());
        }
        if (m.commands() != null) {
            parts.add(m.commands().isEmpty() ? "commands=[]" : "commands=" + String.join(",", new TreeSet<>(m.commands())));
        }
        if (m.command() != null) {
            parts.add("command=" + m.command());
        }
        return String.join(" ", parts);
    }

    private static String fmt(Duration d) {
        return Durations.format(d);
    }
}
