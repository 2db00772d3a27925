package io.mistguard.proxy.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.spi.BasicSequenceNumberGenerator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/**
 * {@link AccessLine} on a Logback context of its own: the line, its key/value pairs, the level check,
 * and the fields an appender on another thread reads — each as an event SLF4J's fluent API would
 * have given for the same fields, which the access log used before.
 */
class AccessLineTest {

    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Logger logger;

    @BeforeEach
    void setUp() {
        logger = context.getLogger("mistguard.access");
        appender.setContext(context);
        appender.start();
        logger.addAppender(appender);
        logger.setAdditive(false);
        logger.setLevel(Level.INFO);
    }

    @AfterEach
    void tearDown() {
        context.stop();
    }

    @Test
    void theLineAndItsPairsCarryEveryFieldInOrder() {
        AccessLine.log(logger, false, "get-state", "proxied", null, 200, 399, 3, 2, 1, "POST", "/api2");

        ILoggingEvent line = only();
        assertThat(line.getLevel()).isEqualTo(Level.INFO);
        assertThat(line.getLoggerName()).isEqualTo("mistguard.access");
        assertThat(line.getFormattedMessage()).isEqualTo(
                "route=get-state decision=proxied status=200 bytes=399 total_ms=3 upstream_ms=2 attempts=1 "
                        + "method=POST path=/api2");
        assertThat(line.getMessage()).as("no pattern apart from the fields").isEqualTo(line.getFormattedMessage());
        assertThat(line.getArgumentArray()).isNull();
        assertThat(pairs(line)).containsExactly(
                Map.entry("route", "get-state"), Map.entry("decision", "proxied"), Map.entry("status", "200"),
                Map.entry("bytes", "399"), Map.entry("total_ms", "3"), Map.entry("upstream_ms", "2"),
                Map.entry("attempts", "1"), Map.entry("method", "POST"), Map.entry("path", "/api2"));
    }

    @Test
    void aCauseFollowsTheDecisionInTheLineAndInThePairs() {
        AccessLine.log(logger, true, "get-state", "last-known", "timeout", 200, 12, 1001, 1000, 1, "POST", "/api2");

        ILoggingEvent line = only();
        assertThat(line.getLevel()).isEqualTo(Level.WARN);
        assertThat(line.getFormattedMessage()).isEqualTo(
                "route=get-state decision=last-known cause=timeout status=200 bytes=12 total_ms=1001 "
                        + "upstream_ms=1000 attempts=1 method=POST path=/api2");
        assertThat(pairs(line)).containsKeys("cause").extractingByKey("cause").isEqualTo("timeout");
        assertThat(new ArrayList<>(pairs(line).keySet())).containsExactly("route", "decision", "cause", "status",
                "bytes", "total_ms", "upstream_ms", "attempts", "method", "path");
    }

    @Test
    void aDisabledLevelMakesNoEvent() {
        logger.setLevel(Level.WARN);
        AccessLine.log(logger, false, "catch-all", "proxied", null, 200, 59, 0, 0, 1, "GET", "/api");
        assertThat(appender.list).isEmpty();

        AccessLine.log(logger, true, "catch-all", "timeout", null, 504, 0, 2000, 1000, 1, "GET", "/api");
        assertThat(appender.list).hasSize(1);
        logger.setLevel(Level.OFF);
        AccessLine.log(logger, true, "catch-all", "timeout", null, 504, 0, 2000, 1000, 1, "GET", "/api");
        assertThat(appender.list).hasSize(1);
    }

    @Test
    void threadTimeAndSequenceAreTakenWhenTheEventIsMadeNotWhenItIsWritten() throws Exception {
        context.setSequenceNumberGenerator(new BasicSequenceNumberGenerator());
        AtomicReference<ILoggingEvent> made = new AtomicReference<>();
        Thread loop = new Thread(() -> {
            AccessLine.log(logger, false, "catch-all", "proxied", null, 200, 59, 0, 0, 1, "GET", "/api");
            made.set(appender.list.get(0));
        }, "mistguard-io-test");
        long before = System.currentTimeMillis();
        loop.start();
        loop.join();
        AccessLine.log(logger, false, "catch-all", "proxied", null, 200, 59, 0, 0, 1, "GET", "/api");

        ILoggingEvent event = made.get();
        assertThat(event.getThreadName()).isEqualTo("mistguard-io-test");
        assertThat(event.getTimeStamp()).isBetween(before, System.currentTimeMillis());
        assertThat(event.getInstant().toEpochMilli()).isEqualTo(event.getTimeStamp());
        assertThat(event.getNanoseconds()).isEqualTo(event.getInstant().getNano());
        assertThat(appender.list.get(1).getSequenceNumber()).isEqualTo(event.getSequenceNumber() + 1);
        assertThat(event.getLoggerContextVO().getName()).isEqualTo(context.getName());
        assertThat(event.getMDCPropertyMap()).isEmpty();
        assertThat(event.getMarkerList()).isNull();
        assertThat(event.getThrowableProxy()).isNull();
        assertThat(event.hasCallerData()).isFalse();
    }

    @Test
    void theShippedTextPatternWritesTheSameLineAsForAnyEvent() {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(DefaultLogging.TEXT_PATTERN);
        encoder.start();
        AccessLine.log(logger, false, "catch-all", "proxied", null, 200, 59, 0, 0, 1, "GET", "/api");
        logger.info("route={} decision={} status={} bytes={} total_ms={} upstream_ms={} attempts={} method={} path={}",
                    "catch-all", "proxied", 200, 59, 0, 0, 1, "GET", "/api");

        String access = text(encoder, appender.list.get(0));
        String ordinary = text(encoder, appender.list.get(1));
        assertThat(access.substring(access.indexOf(" INFO "))).isEqualTo(ordinary.substring(ordinary.indexOf(" INFO ")));
        assertThat(access).endsWith("mistguard.access - route=catch-all decision=proxied status=200 bytes=59 "
                                    + "total_ms=0 upstream_ms=0 attempts=1 method=GET path=/api\n");
    }

    /**
     * Regression: with SLF4J bound to another provider, the access log cast its logger to Logback's
     * and failed in its static setup; the failure was thrown in the answer's listener, so no request
     * was ever answered. The line now goes through SLF4J's fluent API instead, with the same message
     * and pairs.
     */
    @Test
    void anotherSlf4jProviderGetsTheSameLineAndPairsAndNothingFailsRegression() {
        RecordingSlf4jLogger other = new RecordingSlf4jLogger(true);

        AccessLine.log(other, true, "get-state", "last-known", "timeout", 200, 12, 1001, 1000, 1, "POST", "/api2");

        assertThat(other.events).hasSize(1);
        org.slf4j.event.LoggingEvent event = other.events.get(0);
        assertThat(event.getLevel()).isEqualTo(org.slf4j.event.Level.WARN);
        assertThat(event.getMessage()).isEqualTo("route=get-state decision=last-known cause=timeout status=200 "
                + "bytes=12 total_ms=1001 upstream_ms=1000 attempts=1 method=POST path=/api2");
        assertThat(event.getKeyValuePairs()).extracting(pair -> pair.key).containsExactly("route", "decision",
                "cause", "status", "bytes", "total_ms", "upstream_ms", "attempts", "method", "path");

        RecordingSlf4jLogger off = new RecordingSlf4jLogger(false);
        AccessLine.log(off, false, "catch-all", "proxied", null, 200, 59, 0, 0, 1, "GET", "/api");
        assertThat(off.events).isEmpty();
    }

    /** An SLF4J logger of no provider in particular that records the fluent API's events. */
    private static final class RecordingSlf4jLogger extends org.slf4j.helpers.LegacyAbstractLogger
            implements org.slf4j.spi.LoggingEventAware {
        private final boolean enabled;
        private final List<org.slf4j.event.LoggingEvent> events = new ArrayList<>();

        RecordingSlf4jLogger(boolean enabled) {
            this.enabled = enabled;
            this.name = "mistguard.access";
        }

        @Override
        public void log(org.slf4j.event.LoggingEvent event) {
            events.add(event);
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(org.slf4j.event.Level level, org.slf4j.Marker marker, String message,
                                                   Object[] arguments, Throwable throwable) {
            throw new AssertionError("the fluent API is expected: " + message);
        }

        @Override
        public boolean isTraceEnabled() {
            return enabled;
        }

        @Override
        public boolean isDebugEnabled() {
            return enabled;
        }

        @Override
        public boolean isInfoEnabled() {
            return enabled;
        }

        @Override
        public boolean isWarnEnabled() {
            return enabled;
        }

        @Override
        public boolean isErrorEnabled() {
            return enabled;
        }
    }

    private ILoggingEvent only() {
        assertThat(appender.list).hasSize(1);
        return appender.list.get(0);
    }

    private static String text(PatternLayoutEncoder encoder, ILoggingEvent event) {
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    private static Map<String, String> pairs(ILoggingEvent event) {
        Map<String, String> fields = new LinkedHashMap<>();
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        for (KeyValuePair pair : pairs) {
            fields.put(pair.key, String.valueOf(pair.value));
        }
        return fields;
    }
}
