package io.mistguard.proxy.config.yaml;

import static io.mistguard.proxy.config.Quotes.quote;
import static java.util.Objects.requireNonNull;

import io.mistguard.proxy.config.Durations;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.UpstreamUrl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * One value of the config tree with its key path, and typed readers for it.
 *
 * <p>Every reader either returns the converted value or records a problem at this value's line and
 * column and returns empty, so callers carry on with a default and the operator sees all problems
 * at once. Scalars are read from their text, whatever YAML type they resolved to: {@code "5s"} and
 * {@code 5s} are the same duration, and {@code "5"} is still not one.
 */
final class ConfigValue {

    private final Node node;
    private final String path;
    private final Problems problems;

    ConfigValue(Node node, String path, Problems problems) {
        this.node = requireNonNull(node, "node");
        this.path = requireNonNull(path, "path");
        this.problems = requireNonNull(problems, "problems");
    }

    /** How many problems the whole file has so far (to tell whether a step added any). */
    int problemCount() {
        return problems.count();
    }

    String path() {
        return path;
    }

    Node node() {
        return node;
    }

    /** Records a problem at this value, e.g. from a cross-field check. */
    void problem(String message) {
        problems.add(node, path, message);
    }

    /**
     * Converts a scalar with {@code parser}, whose {@link IllegalArgumentException} message becomes
     * the problem; {@code noun} and {@code expected} describe the value when it is not a scalar.
     */
    <T> Optional<T> scalar(String noun, String expected, Function<String, T> parser) {
        if (!(node instanceof ScalarNode scalar)) {
            problem(kind() + " is not " + noun + " (expected: " + expected + ')');
            return Optional.empty();
        }
        if (Tag.NULL.equals(scalar.getTag())) {
            problem("no value (expected: " + expected + ')');
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(scalar.getValue()));
        } catch (IllegalArgumentException e) {
            problem(e.getMessage());
            return Optional.empty();
        }
    }

    Optional<String> asString() {
        return scalar("a string", "a string", Function.identity());
    }

    Optional<Boolean> asBoolean() {
        return scalar("a boolean", "true or false", text -> {
            if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                return Boolean.valueOf(text);
            }
            throw new IllegalArgumentException(quote(text) + " is not a boolean (expected: true or false)");
        });
    }

    Optional<Long> asLong(long min, long max) {
        return scalar("a number", Numbers.expected(min, max), text -> Numbers.parse(text, min, max));
    }

    Optional<Integer> asInt(int min, int max) {
        return asLong(min, max).map(Long::intValue);
    }

    /** Reads a duration that must be positive, or non-negative when {@code zeroAllowed}. */
    Optional<Duration> asDuration(boolean zeroAllowed) {
        return scalar("a duration", Durations.EXPECTED, text -> {
            Duration d = Durations.parse(text);
            if (d.isZero() && !zeroAllowed) {
                throw new IllegalArgumentException(quote(text) + " is zero (expected: a duration > 0, like 500ms, 5s)");
            }
            return d;
        });
    }

    Optional<Long> asByteSize(long min, long max) {
        return scalar("a byte size", ByteSizes.EXPECTED, text -> {
            long bytes = ByteSizes.parse(text);
            ByteSizes.checkRange(bytes, min, max, text);
            return bytes;
        });
    }

    Optional<HostPort> asHostPort() {
        return scalar("a host:port", HostPort.EXPECTED, HostPort::parse);
    }

    /** Reads an upstream URL ({@code http://host[:port]}) into the address it points at. */
    Optional<HostPort> asHttpUrl() {
        return scalar("a URL", UpstreamUrl.EXPECTED, UpstreamUrl::parse);
    }

    /**
     * Binds this value as a mapping with {@code binder}, then reports its unknown keys. A missing
     * value ({@code key:} with nothing after it) is an empty mapping, so every default applies.
     */
    <T> Optional<T> asMapping(Function<ConfigMapping, T> binder) {
        if (node instanceof MappingNode mapping) {
            return Optional.of(ConfigMapping.of(mapping, path, problems).bind(binder));
        }
        if (isNull()) {
            return Optional.of(ConfigMapping.empty(node, path, problems).bind(binder));
        }
        problem(kind() + " is not a mapping (expected: indented key: value lines)");
        return Optional.empty();
    }

    /** Returns the items of a list, each with its path ({@code routes[0]}); a missing value is empty. */
    Optional<List<ConfigValue>> asList() {
        if (node instanceof SequenceNode sequence) {
            List<ConfigValue> items = new ArrayList<>();
            for (Node item : sequence.getValue()) {
                items.add(new ConfigValue(item, path + '[' + items.size() + ']', problems));
            }
            return Optional.of(items);
        }
        if (isNull()) {
            return Optional.of(List.of());
        }
        problem(kind() + " is not a list (expected: lines starting with \"- \")");
        return Optional.empty();
    }

    private boolean isNull() {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    /** Names what the operator wrote, for "X is not a Y" messages. */
    private String kind() {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return quote(((ScalarNode) node).getValue());
    }
}
