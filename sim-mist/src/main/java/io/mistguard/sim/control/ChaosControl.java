package io.mistguard.sim.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.mistguard.sim.fault.Chaos;
import io.mistguard.sim.fault.ChaosRunner;
import io.mistguard.sim.fault.ChaosSchedule;
import io.mistguard.sim.fault.Durations;
import io.mistguard.sim.fault.Faults;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The control port's {@code /chaos} routes. {@code POST /chaos} starts chaos mode from
 * {@code {"seed": 42, "minLength": "1s", "maxLength": "6s", "minCalm": "500ms", "maxCalm": "3s"}}
 * (every key optional; no seed = a fresh one, returned so the run can be replayed), replacing a
 * running one; {@code DELETE /chaos} stops it; {@code GET /chaos} shows the seed, the current
 * episode, episodes per action and the requests each fault action was applied to. Stateless
 * itself; thread-safe through {@link Chaos}.
 */
final class ChaosControl {

    private static final Set<String> KEYS = Set.of("seed", "minLength", "maxLength", "minCalm", "maxCalm");

    private final Chaos chaos;
    private final Faults faults;

    ChaosControl(Chaos chaos, Faults faults) {
        this.chaos = chaos;
        this.faults = faults;
    }

    Map<String, Object> start(JsonNode spec) {
        if (!spec.isObject()) {
            throw new IllegalArgumentException("chaos: " + spec + " (expected: an object such as {\"seed\": 42})");
        }
        spec.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("chaos: unknown key '" + k + "' (expected one of " + KEYS + ")");
            }
        });
        if (spec.has("seed") && !spec.get("seed").canConvertToLong()) {
            throw new IllegalArgumentException("chaos seed: " + spec.get("seed") + " (expected: an integer)");
        }
        long seed = spec.has("seed") ? spec.get("seed").asLong() : System.nanoTime();
        ChaosSchedule defaults = ChaosSchedule.seeded(seed);
        ChaosSchedule schedule = defaults
                .lengths(duration(spec, "minLength", defaults.minLength()), duration(spec, "maxLength", defaults.maxLength()))
                .calm(duration(spec, "minCalm", defaults.minCalm()), duration(spec, "maxCalm", defaults.maxCalm()));
        chaos.start(schedule);
        return Map.of("started", true, "seed", seed);
    }

    Map<String, Object> stop() {
        chaos.stop();
        return Map.of("stopped", true);
    }

    Map<String, Object> view() {
        ChaosRunner runner = chaos.runner();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("running", runner != null);
        if (runner != null) {
            out.put("seed", runner.seed());
            out.put("current", runner.current() == null ? null : ChaosRunner.describe(runner.current()));
            out.put("episodes", runner.episodes());
        }
        out.put("injected", faults.injected());
        return out;
    }

    private static Duration duration(JsonNode spec, String key, Duration fallback) {
        return spec.has(key) ? Durations.parse(spec.get(key).isNumber() ? spec.get(key).numberValue()
                : spec.get(key).asText()) : fallback;
    }
}
