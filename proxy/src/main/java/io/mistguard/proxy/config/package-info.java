/**
 * Configuration: one YAML file turned into immutable, validated records, once.
 *
 * <p>{@link io.mistguard.proxy.config.ConfigLoader} composes the file into snakeyaml-engine's node
 * tree (which keeps line and column of every value), binds it with a small reusable binder
 * ({@code ConfigMapping} / {@code ConfigValue}) that collects every problem instead of stopping at
 * the first, and either returns a {@link io.mistguard.proxy.config.ProxyConfig} or throws a
 * {@link io.mistguard.proxy.config.ConfigException} listing all problems in file order as
 * {@code file:line:column: key.path: message (expected: ...)}.
 */
package io.mistguard.proxy.config;
