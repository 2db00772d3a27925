/**
 * The pre-deploy rules {@code mistguard check-config} applies to a config that has already loaded:
 * each route's worst-case latency ({@link io.mistguard.proxy.config.rules.WorstCase}) against the
 * caller budget it declares, and retries of commands that must not be replayed
 * ({@link io.mistguard.proxy.config.rules.RouteRules}).
 *
 * <p>Apart from the loader and from {@code config.yaml} on purpose: these rules read valid records,
 * never YAML, and report without file positions; they are used only by the CLI; and deciding which
 * commands a match covers needs the request classifier ({@code classify}), which the records
 * themselves must not depend on.
 */
package io.mistguard.proxy.config.rules;
