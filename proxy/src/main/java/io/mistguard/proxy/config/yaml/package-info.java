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
 *
 * <h2>Why a hand-written binder, not jackson-dataformat-yaml</h2>
 *
 * <p>This package is 1355 lines besides this file ({@code wc -l}). Jackson could replace the generic part: YamlSource,
 * Problems, ConfigMapping, ConfigValue and the file reading in YamlConfigLoader, 610 lines. The rest
 * would stay in some form: the value readers (Numbers, ByteSizes: 135 lines) as custom deserializers,
 * and the schema with its per-key bounds, {@code route_defaults} merged key by key, defaults for absent
 * keys and cross-key rules positioned at the key to change (the binders, RouteDefaults and
 * ConfigChecks: 610 lines) as deserializers and a validation pass that would still need each key's
 * position.
 *
 * <p>What Jackson would cost, tried with jackson-dataformat-yaml 2.17 on records, SNAKE_CASE,
 * {@code FAIL_ON_UNKNOWN_PROPERTIES} and {@code STRICT_DUPLICATE_DETECTION}, against the 53
 * {@code file:line:col:} messages the tests pin:
 * <ul>
 *   <li>It stops at the first problem: the 5 problems of InvalidationsConfigTest's bad section came
 *       out as 1 (2 with a {@code DeserializationProblemHandler}, which can carry on past a bad
 *       string but not past a wrong shape such as a list where a number belongs, a duplicate key,
 *       or a record constructor that throws; that one is placed at the end of the mapping, not at
 *       the key, and the unknown key after it was never reported).
 *   <li>Unknown keys would list the record's components, not the keys: the root would offer
 *       {@code policy} instead of {@code cache, breakers, admissions, route_defaults, routes}, in
 *       another order than the pinned one.
 *   <li>Paths come as {@code ProxyConfig["invalidations"]->InvalidationsConfig["call_timeout"]} and
 *       messages as "Cannot deserialize value of type ..."; every one would need rewriting into
 *       {@code invalidations.call_timeout: ... (expected: ...)}.
 *   <li>YAML 1.1 scalars: {@code batch_size: 010} binds as 8 and {@code access_log: no} as false.
 *       Here they are 10 and a problem ("expected: true or false"): values are read from their text.
 * </ul>
 * So the binder stays and jackson-dataformat-yaml is not a dependency. Revisit if the schema grows
 * far beyond the generic 610 lines, or if Jackson gains a collect-all-problems mode.
 */
package io.mistguard.proxy.config.yaml;
