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
        if (root.valid("listen") && root.valid("admin.listen") && Endpoints.collide(config.listen(), config.admin().listen())) {
            root.problemAt("admin.listen", config.admin().listen() + " is also the proxy's listen address " +
                                           "(expected: a different port)");
        }
        if (root.valid("listen") && root.valid("upstream.url")
                && Endpoints.reaches(config.upstream().address(), config.listen())) {
            root.problemAt("upstream.url", config.upstream().url() + " is mistguard's own listen address, so " +
                                           "requests would loop (expected: Mist's API address)");
        } else if (root.valid("admin.listen") && root.valid("upstream.url")
                && Endpoints.reaches(config.upstream().address(), config.admin().listen())) {
            root.problemAt("upstream.url", config.upstream().url() + " is mistguard's own admin listen address " +
                                           "(expected: Mist's API address)");
        } else if (config.triggers().enabled() && root.valid("triggers.listen") && root.valid("upstream.url")
                && Endpoints.reaches(config.upstream().address(), config.triggers().listen())) {
            root.problemAt("upstream.url", config.upstream().url() + " is mistguard's own trigger listen address " +
                                           "(expected: Mist's API address)");
        }
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
