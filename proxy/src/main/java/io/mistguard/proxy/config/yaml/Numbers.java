package io.mistguard.proxy.config.yaml;

import static io.mistguard.proxy.config.Quotes.quote;

import io.mistguard.proxy.config.Bounds;

/**
 * Parses whole numbers within bounds. Underscores are allowed as digit separators
 * ({@code 10_000}); hex, octal and exponents are not, since nobody means them in this file.
 */
final class Numbers {

    private Numbers() {}

    static String expected(long min, long max) {
        return "a whole number " + Bounds.describe(min, max);
    }

    /**
     * Parses {@code text} and checks it is within {@code min..max}.
     *
     * @throws IllegalArgumentException with a message for the operator, naming what was expected
     */
    static long parse(String text, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(quote(text) + " is not a whole number (expected: " +
                                               expected(min, max) + ')');
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(quote(text) + " is out of range (expected: " +
                                               Bounds.violated(value, min, max) + ')');
        }
        return value;
    }
}
