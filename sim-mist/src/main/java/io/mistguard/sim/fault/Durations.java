package io.mistguard.sim.fault;

import java.time.Duration;

/**
 * Parses {@code 250ms}, {@code 5s}, {@code 2m} or a bare number of milliseconds: the durations of
 * fault specs, and of the scenario's trigger timeout. Stateless.
 */
public final class Durations {

    private Durations() {
    }

    public static Duration parse(Object value) {
        if (value == null) {
            throw new IllegalArgumentException("duration missing (expected: e.g. 500ms, 2s)");
        }
        if (value instanceof Number n) {
            return Duration.ofMillis(n.longValue());
        }
        String s = value.toString().trim();
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
            }
            if (s.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1).trim()) * 1000));
            }
            if (s.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1).trim()));
            }
            return Duration.ofMillis(Long.parseLong(s));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("duration: '" + s + "' (expected: e.g. 500ms, 2s, 1m)");
        }
    }
}
