package io.mistguard.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Argument checks for the config records' compact constructors, with Armeria-style messages
 * ({@code "maxBodyBytes: 0 (expected: > 0)"}). The loader reports bad values with file positions
 * before a record is ever built; these checks guard code that builds records directly (CLI
 * overrides, tests).
 */
final class Require {

    private Require() {}

    static Duration positive(Duration value, String name) {
        requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + Durations.format(value) + " (expected: > 0)");
        }
        return value;
    }

    static Duration notNegative(Duration value, String name) {
        requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + ": " + Durations.format(value) + " (expected: >= 0)");
        }
        return value;
    }

    static long inRange(long value, long min, long max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + Bounds.violated(value, min, max) + ')');
        }
        return value;
    }

    static String notEmpty(String value, String name) {
        requireNonNull(value, name);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(name + ": \"\" (expected: not empty)");
        }
        return value;
    }
}
