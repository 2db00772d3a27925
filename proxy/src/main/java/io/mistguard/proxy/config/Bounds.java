package io.mistguard.proxy.config;

/**
 * How a range is stated in an "(expected: …)" text, the way an operator would write it. Shared by
 * the records' own checks ({@link Require}) and the YAML binder's number readers, so that a value
 * out of range reads the same whichever of the two catches it.
 */
public final class Bounds {

    private Bounds() {}

    /** The range for "expected" texts; an int or long upper limit goes unsaid, like Armeria's "> 0". */
    public static String describe(long min, long max) {
        if (isNatural(max)) {
            return ">= " + min;
        }
        return "from " + min + " to " + max;
    }

    /** The range to state when {@code value} is outside it: the side that was crossed, if unsaid. */
    public static String violated(long value, long min, long max) {
        return value > max && isNatural(max) ? "<= " + max : describe(min, max);
    }

    private static boolean isNatural(long max) {
        return max == Long.MAX_VALUE || max == Integer.MAX_VALUE;
    }
}
