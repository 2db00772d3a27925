package io.mistguard.proxy.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * The default text encoder, of the access log and of every other line: for every event, the bytes a
 * {@link PatternLayoutEncoder} with {@link DefaultLogging#TEXT_PATTERN} writes
 * ({@code 2026-12-02T07:51:02.123Z INFO  [mistguard-io-3-1] mistguard.access - route=catch-all
 * decision=proxied ...}), so a reader cannot tell the two apart. An {@link AccessLine} is written
 * straight from its fields into the {@link BatchingAppender}'s batch: no layout buffer, message string
 * or per-line byte array (the pattern encoder allocated ~1 KiB per access line, a fifth of all
 * mistguard allocated per request). Another event is written from its formatted message. An event with
 * a throwable goes through a pattern encoder with the same pattern, started on the first such event,
 * which writes the stack trace as Logback does: starting one (Logback's pattern layout, its converters
 * and their method handles) cost start-up ~40 ms of one core when the console used it.
 *
 * <p>Rules taken from Logback, and pinned by a test against its pattern encoder: the date is
 * {@code DateTimeFormatter} pattern {@code yyyy-MM-dd'T'HH:mm:ss.SSSXXX} in the JVM's default zone
 * and locale (Logback's {@code %d} without options), the level is padded to 5 characters, the logger
 * name is abbreviated to 20 by Logback's own abbreviator ({@code %logger{20}}), and text is encoded
 * with {@link #setCharset the charset}, the JVM's default unless set (as {@code LayoutWrappingEncoder}
 * does).
 *
 * <p>Every event goes through the pattern encoder instead when this encoder's way of writing could
 * differ from it:
 * <ul>
 *   <li>a charset that does not write ASCII as single bytes of the same value (UTF-16, UTF-32, EBCDIC);
 *   <li>a charset with shift states (ISO-2022-KR, x-ISO-2022-CN-GB, x-ISO-2022-CN-CNS), whose bytes
 *       for a line are not the bytes of its parts one after another: the pattern encoder encodes the
 *       whole line at once, so it returns to ASCII before the newline; parts encoded one by one would
 *       not;
 *   <li>a context that holds conversion rules of the operator's own ({@code <conversionRule>} in a
 *       Logback file), which may redefine any word of the pattern ({@code %msg} to mask a secret, say):
 *       Logback's pattern layout applies them, this encoder's direct path would not.
 * </ul>
 *
 * <p>Thread-safety: {@link #encode} may be called by any number of threads; {@link #encodeInto} by one
 * at a time per buffer. The caches (the formatted time of the last second, the last logger name's
 * abbreviation) are immutable values swapped in whole.
 */
public final class TextLineEncoder extends EncoderBase<ILoggingEvent> {

    /** The date part of {@link DefaultLogging#TEXT_PATTERN}. */
    static final String DATE_PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
    private static final int LOGGER_LENGTH = 20;

    private ZoneId zone = ZoneId.systemDefault();
    private Charset charset;
    private DateTimeFormatter dates;
    private volatile PatternLayoutEncoder others;
    /** Whether this encoder writes events itself (see the class comment); set by {@link #start}. */
    private boolean writesDirectly;
    private final TargetLengthBasedClassNameAbbreviator abbreviator =
            new TargetLengthBasedClassNameAbbreviator(LOGGER_LENGTH);
    private volatile Stamp lastStamp = new Stamp(Long.MIN_VALUE, new byte[0], new byte[0]);
    private volatile Name lastName = new Name("", new byte[0]);

    /** The charset of the text ({@code <charset>}); the JVM's default when never set. */
    public void setCharset(Charset charset) {
        this.charset = charset;
    }

    public Charset getCharset() {
        return charset;
    }

    /** The zone of the time stamps: the JVM's default unless a test sets another. */
    void setZone(ZoneId zone) {
        this.zone = zone;
    }

    @Override
    public void start() {
        if (charset == null) {
            charset = Charset.defaultCharset();
        }
        dates = DateTimeFormatter.ofPattern(DATE_PATTERN).withZone(zone).withLocale(Locale.getDefault());
        writesDirectly = encodesAsciiAsIs(charset) && encodesPiecewise(charset) && !hasConversionRules(getContext());
        super.start();
    }

    @Override
    public void stop() {
        PatternLayoutEncoder started = others;
        if (started != null) {
            started.stop();
        }
        super.stop();
    }

    /** The pattern encoder for events with a throwable, started on the first such event. */
    private PatternLayoutEncoder others() {
        PatternLayoutEncoder encoder = others;
        if (encoder == null) {
            synchronized (this) {
                encoder = others;
                if (encoder == null) {
                    encoder = new PatternLayoutEncoder();
                    encoder.setContext(getContext());
                    encoder.setCharset(charset);
                    encoder.setPattern(zone.equals(ZoneId.systemDefault()) ? DefaultLogging.TEXT_PATTERN
                            : DefaultLogging.TEXT_PATTERN.replace(DATE_PATTERN + "}",
                                                                  DATE_PATTERN + ", " + zone.getId() + "}"));
                    encoder.start();
                    others = encoder;
                }
            }
        }
        return encoder;
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    /**
     * Whether {@code charset} writes every ASCII character as its own single byte, which this encoder's
     * direct path assumes (UTF-8, ISO-8859-x, US-ASCII do; UTF-16, UTF-32 and EBCDIC do not).
     */
    static boolean encodesAsciiAsIs(Charset charset) {
        byte[] ascii = new byte[128];
        for (int i = 0; i < ascii.length; i++) {
            ascii[i] = (byte) i;
        }
        return Arrays.equals(new String(ascii, StandardCharsets.US_ASCII).getBytes(charset), ascii);
    }

    /**
     * Characters of several scripts that a charset with shift states writes between a shift-out and a
     * shift-in; {@link #encodesPiecewise} tries those the charset can write.
     */
    private static final String NON_ASCII_PROBES = "éßЖα中日안アกא€";

    /**
     * Whether {@code charset} writes a text as the bytes of its parts one after another, which this
     * encoder's direct path assumes (it encodes the time, thread, logger and message apart). True of
     * charsets without shift states; false of ISO-2022-KR and x-ISO-2022-CN-GB/-CNS, which write a
     * designator once and return to ASCII only at the end of the text.
     */
    static boolean encodesPiecewise(Charset charset) {
        for (char probe : NON_ASCII_PROBES.toCharArray()) {
            if (!charset.newEncoder().canEncode(probe)) {
                continue;
            }
            String part = String.valueOf(probe);
            byte[] whole = ("a" + part + "b").getBytes(charset);
            LineBuffer pieces = new LineBuffer(16).bytes("a".getBytes(charset)).bytes(part.getBytes(charset))
                    .bytes("b".getBytes(charset));
            if (!Arrays.equals(whole, pieces.toByteArray())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code context} holds conversion rules of its own ({@code <conversionRule>}), which a
     * pattern layout started in it applies on top of Logback's.
     */
    static boolean hasConversionRules(Context context) {
        return context != null && (isNonEmptyMap(context.getObject(CoreConstants.PATTERN_RULE_REGISTRY))
                || isNonEmptyMap(context.getObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS)));
    }

    private static boolean isNonEmptyMap(Object registry) {
        return registry instanceof Map<?, ?> rules && !rules.isEmpty();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        if (!direct(event)) {
            return others().encode(event);
        }
        LineBuffer line = new LineBuffer(256);
        encodeInto(event, line);
        return line.toByteArray();
    }

    /** Appends the line of {@code event} to {@code out}. */
    void encodeInto(ILoggingEvent event, LineBuffer out) {
        if (!direct(event)) {
            out.bytes(others().encode(event));
            return;
        }
        time(event.getTimeStamp(), out);
        out.ascii(' ');
        String level = event.getLevel().toString();
        out.ascii(level);
        for (int pad = level.length(); pad < 5; pad++) {
            out.ascii(' ');
        }
        out.ascii(" [").text(event.getThreadName(), charset).ascii("] ");
        out.bytes(logger(event.getLoggerName())).ascii(" - ");
        if (event instanceof AccessLine access) {
            access.writeMessage(out, charset);
        } else {
            out.text(String.valueOf(event.getFormattedMessage()), charset); // %msg writes "null" for none
        }
        out.ascii(CoreConstants.LINE_SEPARATOR); // what %n writes
    }

    /** Whether this encoder writes {@code event} itself: no stack trace to write, and nothing above against it. */
    private boolean direct(ILoggingEvent event) {
        return writesDirectly && event.getThrowableProxy() == null;
    }

    /**
     * Appends the time: formatted once per second (the date, the time to the second, the offset),
     * with only the milliseconds written per line. An offset changes only on a whole second.
     */
    private void time(long millis, LineBuffer out) {
        long second = Math.floorDiv(millis, 1000);
        Stamp stamp = lastStamp;
        if (stamp.second != second) {
            String text = dates.format(Instant.ofEpochSecond(second));
            int dot = text.lastIndexOf('.'); // the zone offset (XXX) holds none
            stamp = new Stamp(second, text.substring(0, dot + 1).getBytes(charset),
                              text.substring(dot + 4).getBytes(charset));
            lastStamp = stamp;
        }
        int milli = (int) Math.floorMod(millis, 1000);
        out.bytes(stamp.beforeMillis).ascii((char) ('0' + milli / 100)).ascii((char) ('0' + milli / 10 % 10))
           .ascii((char) ('0' + milli % 10)).bytes(stamp.afterMillis);
    }

    private byte[] logger(String name) {
        Name last = lastName;
        if (!last.name.equals(name)) {
            last = new Name(name, abbreviator.abbreviate(name).getBytes(charset));
            lastName = last;
        }
        return last.abbreviated;
    }

    /** A second and its formatted time, before and after the three digits of the milliseconds. */
    private record Stamp(long second, byte[] beforeMillis, byte[] afterMillis) {}

    /** A logger name and its abbreviation, encoded. */
    private record Name(String name, byte[] abbreviated) {}
}
