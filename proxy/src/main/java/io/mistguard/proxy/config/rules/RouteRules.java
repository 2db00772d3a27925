package io.mistguard.proxy.config.rules;

import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.config.CommandText;
import io.mistguard.proxy.config.Durations;
import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.config.RouteKind;
import io.mistguard.proxy.config.RouteMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The pre-deploy rules {@code mistguard check-config} enforces on a valid config, one message per
 * broken rule. Two more rules of the issue are enforced by the loader itself, so a file breaking
 * them never gets here: a per-try timeout longer than the route's timeout, and a
 * {@code caller_timeout} not above the route's timeout (which, since the route's timeout cuts every
 * wait, is what "worst case within the caller's budget" comes down to).
 *
 * <p>"A non-idempotent route retries": only {@code read} routes replay a request that may have
 * reached Mist (other kinds retry only a refused connect, which never sent it). So a {@code read}
 * route with {@code attempts > 1} must pin its match to commands that are safe to replay — none
 * ({@code commands: []}), reads, or idempotent writes (mist-api.md §3) — and fails when it could match a
 * non-idempotent command or any command at all. "A write answered from the store": a {@code read}
 * route that keeps answers ({@code stale.max_age} or {@code fresh_for}) and could match such a
 * command would answer it without Mist, telling the caller a write happened that Mist never ran.
 * These safety rules ({@link #unsafe}) are refused by a start and a reload too; the budget rule
 * ({@link #budget}) is only warned about there. Stateless.
 */
public final class RouteRules {

    /** Commands a late or repeated delivery can harm (mist-api.md §3); {@code config} only as a write. */
    private static final Set<String> NON_IDEMPOTENT = Set.of("config", "stop_sessions", "nuke_stream", "push_stop",
            "addstream", "deletestream", "authorize");
    private static final String CONFIG_READ = "{\"config\":{}}";

    private RouteRules() {}

    /** Every broken rule of {@code policy}, in route order; empty when the config passes. */
    public static List<String> failures(PolicyConfig policy) {
        List<String> failures = new ArrayList<>();
        for (RouteConfig route : policy.routes()) {
            failures.addAll(failures(route, policy));
        }
        return failures;
    }

    /**
     * The broken rules of one route of {@code policy}; empty when it passes. {@code check-config}'s
     * VERDICT column is this, so the row and the exit status cannot disagree.
     */
    public static List<String> failures(RouteConfig route, PolicyConfig policy) {
        List<String> failures = new ArrayList<>(budget(route, policy));
        failures.addAll(unsafe(route));
        return failures;
    }

    /**
     * The broken rules of {@code policy} that make mistguard lie about a write — replay one that may
     * have reached Mist, or answer one from the store as if Mist had run it — which a start and a
     * reload refuse too, not only {@code check-config}. Found by review: a {@code read} route matching
     * {@code nuke_stream} with a stale window started silently, and answered a later
     * {@code nuke_stream} {@code 200 stale} while Mist failed: success for a command Mist never ran.
     */
    public static List<String> unsafe(PolicyConfig policy) {
        return policy.routes().stream().flatMap(route -> unsafe(route).stream()).toList();
    }

    /** The broken budget rule of {@code policy}'s routes, which a start and a reload log as warnings. */
    public static List<String> budget(PolicyConfig policy) {
        return policy.routes().stream().flatMap(route -> budget(route, policy).stream()).toList();
    }

    private static List<String> budget(RouteConfig route, PolicyConfig policy) {
        WorstCase worst = WorstCase.of(route, policy);
        if (route.callerTimeout() != null && worst.enforced().compareTo(route.callerTimeout()) >= 0) {
            return List.of("route " + route.name() + ": worst case " + Durations.format(worst.enforced())
                           + " is not below its caller_timeout " + Durations.format(route.callerTimeout()));
        }
        return List.of();
    }

    private static List<String> unsafe(RouteConfig route) {
        List<String> failures = new ArrayList<>();
        String unsafeCommand = route.kind() == RouteKind.READ ? matchesUnsafeCommand(route) : null;
        if (unsafeCommand != null && route.retry().attempts() > 1) {
            failures.add("route " + route.name() + ": kind read with " + route.retry().attempts()
                         + " attempts replays requests that may have reached Mist, but it " + unsafeCommand
                         + " (expected: match.commands or match.command naming only commands safe to replay, "
                         + "or retry.attempts: 1)");
        }
        if (unsafeCommand != null && route.caching().stores()) {
            failures.add("route " + route.name() + ": kind read keeps answers ("
                         + (route.staleMaxAge() != null ? "stale.max_age" : "fresh_for") + ") and answers from them "
                         + "without Mist, but it " + unsafeCommand + ": the caller would be told a write happened "
                         + "that Mist never ran (expected: match.commands or match.command naming only reads, or "
                         + "no stale.max_age and no fresh_for)");
        }
        if (route.kind() != RouteKind.READ && route.staleMaxAge() != null) {
            failures.add("route " + route.name() + ": kind " + route.kind().configName()
                         + " has a stale window (stale.max_age " + Durations.format(route.staleMaxAge())
                         + "); only read routes may answer from last-known-good data");
        }
        return failures;
    }

    /** Which command {@code route} could match that must not be replayed or answered from the store, or {@code null}. */
    private static String matchesUnsafeCommand(RouteConfig route) {
        RouteMatch match = route.match();
        if (match.command() != null) {
            Set<String> keys = CommandClassifier.topLevelKeys(match.command());
            boolean configRead = CommandText.compact(match.command()).equals(CONFIG_READ);
            return keys == null || keys.stream().anyMatch(k -> NON_IDEMPOTENT.contains(k) && !(configRead && k.equals("config")))
                    ? "matches the non-idempotent command " + match.command() : null;
        }
        if (match.commands() == null) {
            return "matches any command, non-idempotent ones included";
        }
        List<String> unsafe = match.commands().stream().filter(NON_IDEMPOTENT::contains).sorted().toList();
        return unsafe.isEmpty() ? null : "matches the non-idempotent command key(s) " + String.join(", ", unsafe);
    }
}
