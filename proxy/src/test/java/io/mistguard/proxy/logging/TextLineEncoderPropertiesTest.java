package io.mistguard.proxy.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.ByteArrayInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link TextLineEncoder} writes, byte for byte, what Logback's pattern encoder with
 * {@link DefaultLogging#TEXT_PATTERN} writes — for any access line (fields, time, zone, thread, logger
 * name, charset, also one such as UTF-16 that does not write ASCII as is), through
 * {@link TextLineEncoder#encode} and appended to a batch that already holds text, and for an ordinary
 * event. The expected line is an ordinary event's, its message formatted by SLF4J from the access
 * log's former pattern.
 */
class TextLineEncoderPropertiesTest {

    /**
     * Charsets of every kind: ASCII as is (UTF-8, ISO-8859-1, windows-1252, Shift_JIS), not (UTF-16), and
     * with shift states (ISO-2022-KR and -CN; ISO-2022-JP shifts back within each part).
     */
    private static final List<Charset> CHARSETS = Stream.of("UTF-8", "ISO-8859-1", "UTF-16", "UTF-16LE", "windows-1252",
                    "Shift_JIS", "ISO-2022-KR", "x-ISO-2022-CN-GB", "ISO-2022-JP")
            .filter(Charset::isSupported).map(Charset::forName).toList();

    private static final String[] ZONES = {"UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham"};

    @Property(tries = 300)
    void anAccessLineIsWhatThePatternWrites(@ForAll("lines") Line line) {
        LoggerContext context = new LoggerContext();
        try {
            Logger logger = context.getLogger(line.logger);
            TextLineEncoder direct = direct(context, line.zone, line.charset);
            PatternLayoutEncoder pattern = pattern(context, line.zone, line.charset);
            AccessLine event = AccessLine.of(logger, line.warn ? Level.WARN : Level.INFO, line.instant, line.thread,
                    line.route, line.decision, line.cause, line.status, line.bytes, line.totalMs, line.upstreamMs,
                    line.attempts, line.method, line.path);

            byte[] expected = pattern.encode(reference(context, line));
            assertThat(new String(direct.encode(event), line.charset)).isEqualTo(new String(expected, line.charset));
            assertThat(direct.encode(event)).isEqualTo(expected);
            LineBuffer batch = new LineBuffer(8).ascii("earlier line\n");
            direct.encodeInto(event, batch);
            direct.encodeInto(event, batch); // the second from the caches
            assertThat(batch.toByteArray()).isEqualTo(concat("earlier line\n".getBytes(StandardCharsets.US_ASCII),
                                                             expected, expected));
        } finally {
            context.stop();
        }
    }

    /**
     * Any other event — the console's lines since the default text log dropped the pattern encoder:
     * any message (also none) with or without arguments, level, logger, thread, zone and charset, and
     * with a throwable (written by the pattern encoder it falls back to).
     */
    @Property(tries = 200)
    void anOrdinaryEventIsWhatThePatternWrites(@ForAll("messages") String message, @ForAll boolean withArgument,
                                               @ForAll("levels") Level level, @ForAll("loggerNames") String loggerName,
                                               @ForAll("messages") String thread, @ForAll("zones") ZoneId zone,
                                               @ForAll("charsets") Charset charset, @ForAll("throwables") Throwable thrown) {
        LoggerContext context = new LoggerContext();
        try {
            Logger logger = context.getLogger(loggerName);
            LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, level, message, thrown,
                                                  withArgument ? new Object[] {"ärg", 42} : null);
            event.setThreadName(thread);
            byte[] expected = pattern(context, zone, charset).encode(event);
            TextLineEncoder direct = direct(context, zone, charset);
            assertThat(new String(direct.encode(event), charset)).isEqualTo(new String(expected, charset));
            assertThat(direct.encode(event)).isEqualTo(expected);
            LineBuffer batch = new LineBuffer(4).ascii("earlier line\n");
            direct.encodeInto(event, batch);
            assertThat(batch.toByteArray()).isEqualTo(concat("earlier line\n".getBytes(StandardCharsets.US_ASCII), expected));
        } finally {
            context.stop();
        }
    }

    /**
     * Regression: with a charset that has shift states (ISO-2022-KR), the line was the bytes of its
     * parts one after another, so the shift back to ASCII before the newline was missing and a
     * decoder read the next line as Korean; ISO-2022-CN repeated its designator mid-line.
     */
    @Property(tries = 1)
    void aCharsetWithShiftStatesWritesWhatThePatternWritesRegression() {
        for (String name : List.of("ISO-2022-KR", "x-ISO-2022-CN-GB", "x-ISO-2022-CN-CNS")) {
            if (!Charset.isSupported(name)) {
                continue;
            }
            Charset charset = Charset.forName(name);
            assertThat(TextLineEncoder.encodesPiecewise(charset)).as(name).isFalse();
            LoggerContext context = new LoggerContext();
            try {
                Logger logger = context.getLogger("io.mistguard.proxy.Mistguard");
                for (String message : List.of("stream 안녕", "stream 中文 ok")) {
                    LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.INFO, message, null, null);
                    event.setThreadName("main");
                    byte[] expected = pattern(context, ZoneId.of("UTC"), charset).encode(event);
                    assertThat(direct(context, ZoneId.of("UTC"), charset).encode(event)).as(name).isEqualTo(expected);
                    AccessLine access = AccessLine.of(logger, Level.INFO, event.getInstant(), "io-1", "route-안", "proxied",
                            null, 200, 1, 2, 3, 1, "GET", "/中");
                    LineBuffer batch = new LineBuffer(8);
                    direct(context, ZoneId.of("UTC"), charset).encodeInto(access, batch);
                    assertThat(batch.toByteArray()).as(name).isEqualTo(
                            pattern(context, ZoneId.of("UTC"), charset).encode(access));
                }
            } finally {
                context.stop();
            }
        }
        assertThat(TextLineEncoder.encodesPiecewise(StandardCharsets.UTF_8)).isTrue();
        assertThat(TextLineEncoder.encodesPiecewise(StandardCharsets.ISO_8859_1)).isTrue();
        if (Charset.isSupported("ISO-2022-JP")) { // shifts back at the end of every part it writes
            assertThat(TextLineEncoder.encodesPiecewise(Charset.forName("ISO-2022-JP"))).isTrue();
        }
    }

    /**
     * Regression: an operator's {@code <conversionRule>} (here one that masks {@code %msg}) reached only
     * the lines with a stack trace, which the pattern encoder wrote; every other line went out
     * unmasked.
     */
    @Property(tries = 1)
    void anOperatorsConversionRuleReachesEveryLineRegression() throws Exception {
        LoggerContext context = new LoggerContext();
        try {
            JoranConfigurator joran = new JoranConfigurator();
            joran.setContext(context);
            joran.doConfigure(new ByteArrayInputStream(("<configuration><conversionRule conversionWord=\"msg\" class=\""
                    + Masked.class.getName() + "\"/></configuration>").getBytes(StandardCharsets.UTF_8)));
            TextLineEncoder encoder = direct(context, ZoneId.of("UTC"), StandardCharsets.UTF_8);
            Logger logger = context.getLogger("x");
            LoggingEvent plain = new LoggingEvent(Logger.FQCN, logger, Level.INFO, "login secret=hunter2", null, null);
            LoggingEvent thrown = new LoggingEvent(Logger.FQCN, logger, Level.WARN, "failed secret=hunter2",
                                                   new IllegalStateException(), null);
            AccessLine access = AccessLine.of(logger, Level.INFO, plain.getInstant(), "io-1", "r", "proxied", null, 200,
                                              1, 2, 3, 1, "GET", "/?secret=hunter2");
            for (ILoggingEvent event : List.of(plain, thrown, access)) {
                assertThat(new String(encoder.encode(event), StandardCharsets.UTF_8)).doesNotContain("hunter2")
                        .contains("secret=***");
            }
            assertThat(TextLineEncoder.hasConversionRules(context)).isTrue();
            assertThat(TextLineEncoder.hasConversionRules(new LoggerContext())).isFalse();
        } finally {
            context.stop();
        }
    }

    /** A {@code %msg} that masks what follows {@code secret=}, as an operator's converter might. */
    public static final class Masked extends MessageConverter {
        @Override
        public String convert(ILoggingEvent event) {
            return super.convert(event).replaceAll("secret=\\S+", "secret=***");
        }
    }

    @Property(tries = 1)
    void onlyCharsetsThatWriteAsciiAsIsTakeTheDirectPath() {
        assertThat(TextLineEncoder.encodesAsciiAsIs(StandardCharsets.UTF_8)).isTrue();
        assertThat(TextLineEncoder.encodesAsciiAsIs(StandardCharsets.ISO_8859_1)).isTrue();
        assertThat(TextLineEncoder.encodesAsciiAsIs(StandardCharsets.US_ASCII)).isTrue();
        assertThat(TextLineEncoder.encodesAsciiAsIs(StandardCharsets.UTF_16)).isFalse();
        assertThat(TextLineEncoder.encodesAsciiAsIs(StandardCharsets.UTF_16LE)).isFalse();
        if (Charset.isSupported("IBM037")) {
            assertThat(TextLineEncoder.encodesAsciiAsIs(Charset.forName("IBM037"))).as("EBCDIC").isFalse();
        }
    }

    @Provide
    Arbitrary<Line> lines() {
        Arbitrary<String> token = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz-").ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> anyText = Arbitraries.strings().withCharRange(' ', '~').withChars("éü→中안").ofMinLength(1)
                .ofMaxLength(60);
        Arbitrary<String> pathText = Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(80);
        // -1 ms is left out: Logback's CachingDateFormatter starts with -1 as its "nothing cached" key and
        // writes "null" for that one instant (1969-12-31T23:59:59.999Z).
        Arbitrary<Instant> instants = Arbitraries.longs().between(-2_500_000_000_000L, 4_102_444_800_000L)
                .filter(millis -> millis != -1).map(Instant::ofEpochMilli);
        Arbitrary<String> loggers = Arbitraries.of("mistguard.access", "io.mistguard.proxy.server.AccessLog",
                                                   "a.very.long.logger.name.that.needs.Abbreviation");
        return Combinators.combine(
                Combinators.combine(token, token, token.injectNull(0.5), Arbitraries.integers().between(100, 599),
                                    Arbitraries.longs().between(0, Long.MAX_VALUE), Arbitraries.longs().between(0, 10_000_000),
                                    Arbitraries.longs().between(0, 10_000_000), Arbitraries.integers().between(0, 99))
                        .as(Fields::new),
                Arbitraries.of("GET", "POST", "HEAD", "DELETE"), pathText,
                Combinators.combine(anyText, instants, Arbitraries.of(ZONES).map(ZoneId::of),
                                    Arbitraries.of(CHARSETS), loggers,
                                    Arbitraries.of(true, false)).as(Where::new))
                .as((f, method, path, w) -> new Line(f.route, f.decision, f.cause, f.status, f.bytes, f.totalMs,
                        f.upstreamMs, f.attempts, method, path, w.thread, w.instant, w.zone, w.charset, w.logger,
                        w.warn));
    }

    @Provide
    Arbitrary<String> messages() {
        return Arbitraries.strings().withCharRange(' ', '~').withChars("é中안").ofMaxLength(100).injectNull(0.05);
    }

    @Provide
    Arbitrary<Level> levels() {
        return Arbitraries.of(Level.TRACE, Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR);
    }

    @Provide
    Arbitrary<String> loggerNames() {
        return Arbitraries.of("io.mistguard.proxy.server.ProxyHandler", "mistguard.access", "ROOT", "x",
                              "a.very.long.logger.name.that.needs.Abbreviation");
    }

    @Provide
    Arbitrary<ZoneId> zones() {
        return Arbitraries.of(ZONES).map(ZoneId::of);
    }

    @Provide
    Arbitrary<Charset> charsets() {
        return Arbitraries.of(CHARSETS);
    }

    @Provide
    Arbitrary<Throwable> throwables() {
        return Arbitraries.<Throwable>of(new IllegalStateException("boom", new java.io.IOException("under")),
                              new RuntimeException()).injectNull(0.7);
    }

    /**
     * The same line as an ordinary Logback event whose message SLF4J formats from the pattern the
     * access log used before it had an event of its own: an oracle that shares no code with
     * {@link AccessLine}.
     */
    private static LoggingEvent reference(LoggerContext context, Line line) {
        LoggingEvent event = new LoggingEvent();
        event.setLoggerContext(context);
        event.setLoggerName(line.logger);
        event.setLevel(line.warn ? Level.WARN : Level.INFO);
        event.setThreadName(line.thread);
        event.setInstant(line.instant);
        if (line.cause == null) {
            event.setMessage("route={} decision={} status={} bytes={} total_ms={} upstream_ms={} attempts={} "
                             + "method={} path={}");
            event.setArgumentArray(new Object[] {line.route, line.decision, line.status, line.bytes, line.totalMs,
                line.upstreamMs, line.attempts, line.method, line.path});
        } else {
            event.setMessage("route={} decision={} cause={} status={} bytes={} total_ms={} upstream_ms={} "
                             + "attempts={} method={} path={}");
            event.setArgumentArray(new Object[] {line.route, line.decision, line.cause, line.status, line.bytes,
                line.totalMs, line.upstreamMs, line.attempts, line.method, line.path});
        }
        return event;
    }

    private static TextLineEncoder direct(LoggerContext context, ZoneId zone, Charset charset) {
        TextLineEncoder encoder = new TextLineEncoder();
        encoder.setContext(context);
        encoder.setZone(zone);
        encoder.setCharset(charset);
        encoder.start();
        return encoder;
    }

    private static PatternLayoutEncoder pattern(LoggerContext context, ZoneId zone, Charset charset) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setCharset(charset);
        encoder.setPattern(DefaultLogging.TEXT_PATTERN.replace(TextLineEncoder.DATE_PATTERN + "}",
                                                               TextLineEncoder.DATE_PATTERN + ", " + zone.getId() + "}"));
        encoder.start();
        return encoder;
    }

    private static byte[] concat(byte[]... parts) {
        LineBuffer all = new LineBuffer(1);
        for (byte[] part : parts) {
            all.bytes(part);
        }
        return all.toByteArray();
    }

    private record Fields(String route, String decision, String cause, int status, long bytes, long totalMs,
                          long upstreamMs, int attempts) {}

    private record Where(String thread, Instant instant, ZoneId zone, Charset charset, String logger, boolean warn) {}

    private record Line(String route, String decision, String cause, int status, long bytes, long totalMs,
                        long upstreamMs, int attempts, String method, String path, String thread, Instant instant,
                        ZoneId zone, Charset charset, String logger, boolean warn) {}
}
