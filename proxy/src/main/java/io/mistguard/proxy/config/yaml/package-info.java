/**
 * Binds the YAML config file to the records of {@code io.mistguard.proxy.config}, with line and
 * column for every problem.
 *
 * <p>{@link io.mistguard.proxy.config.yaml.YamlSource} composes the file into snakeyaml-engine's node
 * tree (which keeps line and column of every value); {@code ConfigMapping} / {@code ConfigValue} are
 * a small reusable binder that collects every problem instead of stopping at the first; the
 * {@code *Binder} classes are the schema, one section each; {@code ConfigChecks} runs the rules that
 * span several keys once every key is valid on its own. Everything is package-private except
 * {@link io.mistguard.proxy.config.yaml.YamlConfigLoader}, which only
 * {@link io.mistguard.proxy.config.ConfigLoader} calls.
 */
package io.mistguard.proxy.config.yaml;
