package io.mistguard.proxy.config.yaml;

import static io.mistguard.proxy.config.Quotes.quote;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints byte sizes: a plain number of bytes ({@code 512}) or a number with a unit.
 * {@code KiB}, {@code MiB}, {@code GiB}, {@code TiB} are powers of 1024; {@code KB}, {@code MB},
 * {@code GB}, {@code TB} are powers of 1000, as the SI prefixes say.
 *
 * <p>Units are case-sensitive on purpose: {@code kb} or {@code Mb} usually mean bits to somebody.
 */
final class ByteSizes {

    static final String EXPECTED = "a number of bytes, optionally with a unit, like 512, 64KiB, 1MiB, 1GiB " +
                                   "(KB, MB, GB are powers of 1000)";

    private static final Pattern SYNTAX =
            Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)?");
    private static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    /** Units tried when printing, largest first; binary before decimal so 65536 prints as 64KiB. */
    private static final String[] UNITS = { "TiB", "GiB", "MiB", "KiB", "TB", "GB", "MB", "KB" };

    private ByteSizes() {}

    /**
     * Parses {@code text} into a number of bytes.
     *
     * @throws IllegalArgumentException with a message for the operator, naming what was expected
     */
    static long parse(String text) {
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            String what = text.startsWith("-") ? " is negative" : " is not a byte size";
            throw new IllegalArgumentException(quote(text) + what + " (expected: " + EXPECTED + ')');
        }
        long unit = m.group(2) == null ? 1 : unitBytes(m.group(2));
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
        if (bytes.compareTo(MAX) > 0) {
            throw new IllegalArgumentException(quote(text) + " is too large (expected: " + EXPECTED + ')');
        }
        try {
            return bytes.setScale(0, RoundingMode.UNNECESSARY).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(quote(text) + " is not a whole number of bytes (expected: " +
                                               EXPECTED + ')');
        }
    }

    /**
     * Checks that {@code bytes}, parsed from {@code text}, is within {@code min..max}, stating the
     * range in byte units.
     *
     * @throws IllegalArgumentException with a message for the operator, naming what was expected
     */
    static void checkRange(long bytes, long min, long max, String text) {
        if (bytes >= min && bytes <= max) {
            return;
        }
        String range = max == Long.MAX_VALUE ? ">= " + format(min) : "from " + format(min) + " to " + format(max);
        throw new IllegalArgumentException(quote(text) + " is out of range (expected: " + range + ')');
    }

    /** Prints {@code bytes} with the largest unit that represents it exactly, else as a plain number. */
    static String format(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        for (String unit : UNITS) {
            long size = unitBytes(unit);
            if (bytes % size == 0) {
                return bytes / size + unit;
            }
        }
        return Long.toString(bytes);
    }

    private static long unitBytes(String unit) {
        return switch (unit) {
            case "B" -> 1L;
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "TiB" -> 1L << 40;
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            case "TB" -> 1_000_000_000_000L;
            default -> throw new IllegalArgumentException("unit: " + unit);
        };
    }
}
