package io.mistguard.proxy.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The pre-deploy rules {@code mistguard check-config} enforces on a valid config, one message per
 * broken rule. Two more rules of the issue are enforced by the loader itself, so a file breaking
 * them never gets here: a per-try timeout longer than the route's timeout, and a
 * {@code caller_timeout} not above the route's timeout (which, since the route's timeout cuts every
 * wait, is what "worst case within the caller's budget" comes down to). Non-read routes may keep
 * {@code attempts > 1}: the engine retries them only when the request provably never left
 * mistguard (a refused connect), so they never replay a write. Stateless.
 */
public final class RouteRules {

    private RouteRules() {}

    /** Every broken rule of {@code policy}, in route order; empty when the config passes. */
    public static List<String> failures(PolicyConfig policy) {
        List<String> failures = new ArrayList<>();
        for (RouteConfig route : policy.routes()) {
            WorstCase worst = WorstCase.of(route, policy);
            if (route.callerTimeout() != null && worst.enforced().compareTo(route.callerTimeout()) >= 0) {
                failures.add("route " + route.name() + ": worst case " + Durations.format(worst.enforced())
                             + " is not below its caller_timeout " + Durations.format(route.callerTimeout()));
            }
            if (route.kind() != RouteKind.READ && route.staleMaxAge() != null) {
                failures.add("route " + route.name() + ": kind " + route.kind().configName()
                             + " has a stale window (stale.max_age " + Durations.format(route.staleMaxAge())
                             + "); only read routes may answer from last-known-good data");
            }
        }
        return failures;
    }
}
