package io.mistguard.proxy.config;

import static io.mistguard.proxy.config.Quotes.quote;

/**
 * Range checks shared by the number and byte-size readers, with messages that state the range
 * the way an operator would write it (a byte range in byte units).
 */
final class Bounds {

    private Bounds() {}

    static String describe(long min, long max) {
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            return ">= " + min;
        }
        return "from " + min + " to " + max;
    }

    static void check(long value, long min, long max, String text) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(quote(text) + " is out of range (expected: " +
                                               describe(min, max) + ')');
        }
    }

    static void checkBytes(long bytes, long min, long max, String text) {
        if (bytes >= min && bytes <= max) {
            return;
        }
        String range = max == Long.MAX_VALUE ? ">= " + ByteSizes.format(min)
                                             : "from " + ByteSizes.format(min) + " to " + ByteSizes.format(max);
        throw new IllegalArgumentException(quote(text) + " is out of range (expected: " + range + ')');
    }
}
