package io.mistguard.sim;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A scenario file: the YAML that seeds sim-mist's state and faults at start. Keys: {@code streams}
 * ({@code count}, {@code viewers}, {@code prefix}, {@code pushesPerStream}), {@code accounts}
 * (user → password), {@code passphrase}, {@code triggerUrl}, {@code triggerAttemptTimeout},
 * {@code triggerAttempts}, {@code autoPushes} (list of {stream, target}), {@code faults},
 * {@code catalystLoginPenalty} (true/false), {@code replyShape} ({@code INSERTION_ORDER} or
 * {@code MIST_3_10}).
 */
record Scenario(Map<String, Object> root) {

    private static final Set<String> KEYS = Set.of("streams", "accounts", "passphrase", "triggerUrl",
            "triggerAttemptTimeout", "triggerAttempts", "autoPushes", "faults", "catalystLoginPenalty",
            "replyShape");

    static Scenario load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Object doc = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromInputStream(in);
            Map<String, Object> root = doc == null ? Map.of() : cast(doc, file + ": top level");
            for (String k : root.keySet()) {
                if (!KEYS.contains(k)) {
                    throw new IllegalArgumentException(file + ": unknown key '" + k + "' (expected one of " + KEYS + ")");
                }
            }
            return new Scenario(root);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read scenario " + file + ": " + e.getMessage(), e);
        }
    }

    Map<String, Object> section(String key) {
        Object v = root.get(key);
        return v == null ? Map.of() : cast(v, key);
    }

    Object get(String key) {
        return root.get(key);
    }

    /** A true/false key, or {@code fallback} when absent. */
    boolean flag(String key, boolean fallback) {
        Object v = root.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException(key + ": '" + v + "' (expected: true or false)");
        }
        return b;
    }

    /** One constant of {@code type}, by name, or {@code fallback} when absent. */
    <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) {
        Object v = root.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, String.valueOf(v));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": '" + v + "' (expected one of "
                    + Arrays.toString(type.getEnumConstants()) + ")");
        }
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> list(String key) {
        Object v = root.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?>)) {
            throw new IllegalArgumentException(key + ": expected a list");
        }
        return (List<Map<String, Object>>) v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object v, String where) {
        if (!(v instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(where + ": expected a mapping");
        }
        return (Map<String, Object>) v;
    }
}
