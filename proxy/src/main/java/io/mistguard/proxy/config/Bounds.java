package io.mistguard.proxy.config;

import static io.mistguard.proxy.config.Quotes.quote;

/**
 * Range checks shared by the number and byte-size readers, with messages that state the range
 * the way an operator would write it (a byte range in byte units).
 */
final class Bounds {

    private Bounds() {}

    /** The range for "expected" texts; an int or long upper limit goes unsaid, like Armeria's "> 0". */
    static String describe(long min, long max) {
        if (isNatural(max)) {
            return ">= " + min;
        }
        return "from " + min + " to " + max;
    }

    /** The range to state when {@code value} is outside it: the side that was crossed, if unsaid. */
    static String violated(long value, long min, long max) {
        return value > max && isNatural(max) ? "<= " + max : describe(min, max);
    }

    static void check(long value, long min, long max, String text) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(quote(text) + " is out of range (expected: " +
                                               violated(value, min, max) + ')');
        }
    }

    private static boolean isNatural(long max) {
        return max == Long.MAX_VALUE || max == Integer.MAX_VALUE;
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
