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
 * route with {@code attempts > 1} must pin its match to commands known to be safe to replay — none
 * ({@code commands: []}), reads, or idempotent writes (mist-api.md §3) — and fails when it could match
 * any other command, or any command at all. "A write answered from the store": a {@code read} route
 * that keeps answers ({@code stale.max_age} or {@code fresh_for}) must match only reads, or it could
 * answer a write without Mist, telling the caller it happened. Both are allow-lists.
 * These safety rules ({@link #unsafe}) are refused by a start and a reload too; the budget rule
 * ({@link #budget}) is only warned about there. Stateless.
 */
public final class RouteRules {

    /**
     * Commands that only read Mist's state (mist-api.md §3, and Mist's API reference for the rest):
     * safe to replay and to answer from the store. An allow-list: found by review, a deny-list of
     * harmful commands let {@code stop_sessid} and {@code push_start}, which it did not name, be
     * answered from the store and replayed.
     */
    private static final Set<String> READS = Set.of("active_streams", "stats_streams", "push_list", "push_auto_list",
            "clients", "totals", "capabilities");
    /** Writes a repeat cannot harm (mist-api.md §3): safe to replay, never to answer from the store. */
    private static final Set<String> IDEMPOTENT_WRITES = Set.of("invalidate_sessions", "push_auto_add",
            "push_auto_remove");
    private static final Set<String> REPLAYABLE = union(READS, IDEMPOTENT_WRITES);
    /** {@code {"config":{}}}: replayable, but never from the store (it feeds a read-modify-write, mist-api.md §3). */
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
        boolean read = route.kind() == RouteKind.READ;
        String notReplayable = read && route.retry().attempts() > 1 ? matchesBeyond(route, REPLAYABLE, true) : null;
        if (notReplayable != null) {
            failures.add("route " + route.name() + ": kind read with " + route.retry().attempts()
                         + " attempts replays requests that may have reached Mist, but it " + notReplayable
                         + ", not known to be safe to replay (expected: match.commands or match.command naming only "
                         + "reads (" + String.join(", ", sorted(READS)) + ", or {\"config\":{}}) and idempotent writes ("
                         + String.join(", ", sorted(IDEMPOTENT_WRITES)) + "), or retry.attempts: 1)");
        }
        String notRead = read && route.caching().stores() ? matchesBeyond(route, READS, false) : null;
        if (notRead != null) {
            failures.add("route " + route.name() + ": kind read keeps answers ("
                         + (route.staleMaxAge() != null ? "stale.max_age" : "fresh_for") + ") and answers from them "
                         + "without Mist, but it " + notRead + ", not known to be a read: the caller could be told "
                         + "a write happened that Mist never ran (expected: match.commands or match.command naming only "
                         + String.join(", ", sorted(READS)) + ", or no stale.max_age and no fresh_for)");
        }
        if (route.kind() != RouteKind.READ && route.staleMaxAge() != null) {
            failures.add("route " + route.name() + ": kind " + route.kind().configName()
                         + " has a stale window (stale.max_age " + Durations.format(route.staleMaxAge())
                         + "); only read routes may answer from last-known-good data");
        }
        return failures;
    }

    /**
     * What {@code route} could match beyond the command keys {@code safe} (and {@code {"config":{}}}
     * when {@code configRead} allows it), said for a message, or {@code null} when nothing.
     */
    private static String matchesBeyond(RouteConfig route, Set<String> safe, boolean configRead) {
        RouteMatch match = route.match();
        if (match.command() != null) {
            if (configRead && CommandText.compact(match.command()).equals(CONFIG_READ)) {
                return null;
            }
            Set<String> keys = CommandClassifier.topLevelKeys(match.command());
            return keys == null || !safe.containsAll(keys) ? "matches the command " + match.command() : null;
        }
        if (match.commands() == null) {
            return "matches any command";
        }
        List<String> beyond = match.commands().stream().filter(k -> !safe.contains(k)).sorted().toList();
        return beyond.isEmpty() ? null : "matches the command key(s) " + String.join(", ", beyond);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private static List<String> sorted(Set<String> keys) {
        return keys.stream().sorted().toList();
    }
}
