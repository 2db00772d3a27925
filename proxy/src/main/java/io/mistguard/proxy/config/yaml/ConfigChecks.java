package io.mistguard.proxy.config.yaml;

import io.mistguard.proxy.config.Durations;
import io.mistguard.proxy.config.ProxyConfig;

/**
 * Rules that involve more than one top-level key. They run even when other keys are wrong, so that
 * every problem is reported at once, but each rule only when the keys it compares bound without a
 * problem: a default standing in for a bad value would otherwise be blamed in a second, misleading
 * problem.
 *
 * <p>Each rule reports at the key the operator most likely has to change. Route-level rules that
 * combine keys live in {@link RoutesBinder} and {@link ReadCachingBinder}, next to the route's mapping.
 */
final class ConfigChecks {

    private ConfigChecks() {}

    static void check(ProxyConfig config, ConfigMapping root) {
        AddressChecks.check(config, root);
        if (root.valid("upstream.connect_timeout") && root.valid("request_timeout")
                && config.upstream().connectTimeout().compareTo(config.requestTimeout()) > 0) {
            root.problemAt("upstream.connect_timeout",
                           Durations.format(config.upstream().connectTimeout()) + " is longer than request_timeout (" +
                           Durations.format(config.requestTimeout()) + "), so it could never fire " +
                           "(expected: <= request_timeout)");
        }
        TriggersBinder.check(config, root);
    }
}
