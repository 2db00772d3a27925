/**
 * Configuration: one YAML file turned into immutable, validated records, once.
 *
 * <p>This package is what the rest of the proxy sees: the records ({@link
 * io.mistguard.proxy.config.ProxyConfig} and its sections), the value types and parsers they need
 * ({@link io.mistguard.proxy.config.HostPort}, {@link io.mistguard.proxy.config.Cidr},
 * {@link io.mistguard.proxy.config.Durations}, {@link io.mistguard.proxy.config.UpstreamUrl}), the
 * built-in route table, and {@link io.mistguard.proxy.config.ConfigLoader}, which either returns a
 * {@code ProxyConfig} or throws a {@link io.mistguard.proxy.config.ConfigException} listing all
 * problems in file order as {@code file:line:column: key.path: message (expected: ...)}.
 *
 * <p>How YAML becomes records is {@code config.yaml}'s business, reached only through
 * {@code ConfigLoader}; the pre-deploy rules of {@code mistguard check-config} live in
 * {@code config.rules}. This package imports neither of them except for that one facade call, and
 * nothing from the packages that use the config.
 */
package io.mistguard.proxy.config;
