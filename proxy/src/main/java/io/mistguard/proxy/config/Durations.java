package io.mistguard.proxy.config;

import static io.mistguard.proxy.config.Quotes.quote;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints durations as operators write them: a number and a unit, such as {@code 250ms},
 * {@code 5s}, {@code 1.5s}, {@code 1m} or {@code 1h}.
 *
 * <p>A unit is always required, also for zero: a bare {@code 5} is ambiguous between seconds and
 * milliseconds, and that ambiguity is exactly how timeouts end up 1000 times too long.
 */
public final class Durations {

    public static final String EXPECTED = "a number with a unit, like 500ms, 5s, 1m";

    private static final Pattern SYNTAX = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|ms|s|m|h)");
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

    /** Units from largest to smallest, for printing. */
    private static final String[] UNITS = { "h", "m", "s", "ms", "us", "ns" };

    private Durations() {}

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with a message for the operator, naming what was expected
     */
    public static Duration parse(String text) {
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            if (text.startsWith("-")) {
                throw new IllegalArgumentException(quote(text) + " is negative (expected: " + EXPECTED + ')');
            }
            throw new IllegalArgumentException(quote(text) + " is not a duration (expected: " + EXPECTED + ')');
        }
        BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos(m.group(2))));
        if (nanos.compareTo(MAX_NANOS) > 0) {
            throw new IllegalArgumentException(quote(text) + " is too long (expected: at most 106751d, " +
                                               "which no timeout should come near)");
        }
        try {
            return Duration.ofNanos(nanos.setScale(0, RoundingMode.UNNECESSARY).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(quote(text) + " is finer than a nanosecond (expected: " +
                                               EXPECTED + ')');
        }
    }

    /** Prints {@code d} in the largest unit that represents it exactly, e.g. {@code 90s}, {@code 1500ms}. */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        for (String unit : UNITS) {
            long size = unitNanos(unit);
            if (nanos % size == 0) {
                return nanos / size + unit;
            }
        }
        throw new AssertionError("ns divides everything");
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new IllegalArgumentException("unit: " + unit);
        };
    }
}
