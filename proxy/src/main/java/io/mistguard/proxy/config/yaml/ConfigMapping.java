package io.mistguard.proxy.config.yaml;

import static io.mistguard.proxy.config.Quotes.quote;
import static java.util.Objects.requireNonNull;

import io.mistguard.proxy.config.HostPort;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * A YAML mapping being bound: keyed typed reads with defaults, and the checks a mapping needs on
 * its own — duplicate keys, non-name keys, and (in {@link #bind}) keys nobody asked for. Merge
 * keys ({@code <<: *base}) arrive already flattened by the composer, which is handy for routes.
 *
 * <p>The schema is the sequence of reads a binder makes: every key read is a known key, so the
 * "expected one of" list of an unknown-key problem can never drift from the code that reads them.
 * A later per-route table is {@code list("routes", v -> v.asMapping(RouteBinder::bind))}.
 */
final class ConfigMapping {

    private final String path;
    private final Optional<Mark> mark;
    private final Problems problems;
    private final Map<String, NodeTuple> entries;
    private final Set<String> known = new LinkedHashSet<>();

    private ConfigMapping(String path, Optional<Mark> mark, Problems problems, Map<String, NodeTuple> entries) {
        this.path = requireNonNull(path, "path");
        this.mark = requireNonNull(mark, "mark");
        this.problems = requireNonNull(problems, "problems");
        this.entries = entries;
    }

    /** Wraps {@code node}, reporting duplicate and malformed keys right away. */
    static ConfigMapping of(MappingNode node, String path, Problems problems) {
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : node.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode key)) {
                problems.add(keyNode, path, "a key must be a plain name (expected: name: value)");
                continue;
            }
            String name = key.getValue();
            String keyPath = child(path, name);
            NodeTuple first = entries.putIfAbsent(name, tuple);
            if (first != null) {
                int line = first.getKeyNode().getStartMark().map(m -> m.getLine() + 1).orElse(0);
                problems.add(keyNode, keyPath, "duplicate key " + quote(name) +
                                               " (expected: each key once; first one is on line " + line + ')');
            }
        }
        return new ConfigMapping(path, node.getStartMark(), problems, entries);
    }

    /** A mapping without keys (absent section, empty file), so that every default applies. */
    static ConfigMapping empty(Optional<Mark> mark, String path, Problems problems) {
        return new ConfigMapping(path, mark, problems, Map.of());
    }

    static ConfigMapping empty(Node node, String path, Problems problems) {
        return empty(node.getStartMark(), path, problems);
    }

    /** Applies {@code binder}, then reports every key it did not read as unknown. */
    <T> T bind(Function<ConfigMapping, T> binder) {
        T result = binder.apply(this);
        entries.forEach((name, tuple) -> {
            if (!known.contains(name)) {
                String expected = known.isEmpty() ? "no keys here" : "one of: " + String.join(", ", known);
                problems.add(tuple.getKeyNode(), child(path, name),
                             "unknown key " + quote(name) + " (expected " + expected + ')');
            }
        });
        return result;
    }

    /** Declares {@code key} as known and returns its value, if present. */
    Optional<ConfigValue> value(String key) {
        known.add(key);
        NodeTuple tuple = entries.get(key);
        if (tuple == null) {
            return Optional.empty();
        }
        return Optional.of(new ConfigValue(tuple.getValueNode(), child(path, key), problems));
    }

    /** The keys present, in file order, for mappings keyed by operator-chosen names ({@code breakers}). */
    Set<String> keys() {
        return entries.keySet();
    }

    /**
     * Whether {@code relativePath} holds a value the operator wrote and that bound without a problem,
     * or is absent (so its default is what applies). False once a problem was recorded there.
     */
    boolean valid(String relativePath) {
        return !problems.any(child(path, relativePath));
    }

    /** Whether {@code key} is written in this mapping (whatever its value). */
    boolean has(String key) {
        return entries.containsKey(key);
    }

    /** Records a problem at this mapping itself, e.g. a required key that is missing. */
    void problem(String relativePath, String message) {
        problems.add(mark, child(path, relativePath), message);
    }

    /** Records a problem with this mapping as a whole, at its start. */
    void problemHere(String message) {
        problems.add(mark, path, message);
    }

    /**
     * Records a problem with the key {@code key} itself (an operator-chosen name that is not
     * allowed), at the key and its own path; the key counts as known from then on.
     */
    void problemAtKey(String key, String message) {
        known.add(key);
        NodeTuple tuple = entries.get(key);
        // At the key's own path: recorded at this mapping's, it marked every sibling as invalid too,
        // so their own problems went unreported (found by review: one misspelt trigger name hid the
        // others' and left one to the record's unpositioned check).
        String at = key.matches("[A-Za-z0-9_-]+") ? key : quote(key); // "" and "*" stay readable
        problems.add(tuple == null ? mark : tuple.getKeyNode().getStartMark(), child(path, at), message);
    }

    String string(String key, String defaultValue) {
        return value(key).flatMap(ConfigValue::asString).orElse(defaultValue);
    }

    boolean bool(String key, boolean defaultValue) {
        return value(key).flatMap(ConfigValue::asBoolean).orElse(defaultValue);
    }

    int integer(String key, int defaultValue, int min, int max) {
        return value(key).flatMap(v -> v.asInt(min, max)).orElse(defaultValue);
    }

    long longValue(String key, long defaultValue, long min, long max) {
        return value(key).flatMap(v -> v.asLong(min, max)).orElse(defaultValue);
    }

    Duration duration(String key, Duration defaultValue, boolean zeroAllowed) {
        return value(key).flatMap(v -> v.asDuration(zeroAllowed)).orElse(defaultValue);
    }

    long byteSize(String key, long defaultValue, long min, long max) {
        return value(key).flatMap(v -> v.asByteSize(min, max)).orElse(defaultValue);
    }

    /** A byte size for a Netty setting that takes an {@code int}. */
    int intByteSize(String key, int defaultValue, int min, int max) {
        return (int) byteSize(key, defaultValue, min, max);
    }

    HostPort hostPort(String key, HostPort defaultValue) {
        return value(key).flatMap(ConfigValue::asHostPort).orElse(defaultValue);
    }

    /** Binds a nested mapping; when it is absent or malformed, binds an empty one for the defaults. */
    <T> T mapping(String key, Function<ConfigMapping, T> binder) {
        return value(key).flatMap(v -> v.asMapping(binder))
                         .orElseGet(() -> empty(mark, child(path, key), problems).bind(binder));
    }

    /** Binds each item of a list with {@code item}; items with problems are left out. */
    <T> List<T> list(String key, Function<ConfigValue, Optional<T>> item) {
        List<ConfigValue> items = value(key).flatMap(ConfigValue::asList).orElse(List.of());
        return items.stream().map(item).flatMap(Optional::stream).toList();
    }

    /**
     * Records a cross-field problem at the value of {@code relativePath} ({@code upstream.url}); when
     * that key is not in the file, at the nearest enclosing key that is, or at this mapping.
     */
    void problemAt(String relativePath, String message) {
        Optional<Mark> at = mark;
        Map<String, NodeTuple> level = entries;
        for (String name : relativePath.split("\\.")) {
            NodeTuple tuple = level.get(name);
            if (tuple == null) {
                break;
            }
            at = tuple.getValueNode().getStartMark();
            level = tuple.getValueNode() instanceof MappingNode m ? index(m) : Map.of();
        }
        problems.add(at, child(path, relativePath), message);
    }

    private static Map<String, NodeTuple> index(MappingNode node) {
        Map<String, NodeTuple> index = new LinkedHashMap<>();
        for (NodeTuple tuple : node.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key) {
                index.putIfAbsent(key.getValue(), tuple);
            }
        }
        return index;
    }

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + '.' + key;
    }
}
