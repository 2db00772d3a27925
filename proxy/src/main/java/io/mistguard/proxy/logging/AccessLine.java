package io.mistguard.proxy.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.CallerData;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.LoggerContextVO;
import ch.qos.logback.core.spi.SequenceNumberGenerator;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One access-log line as a Logback event: {@code route=get-state decision=proxied status=200 bytes=399
 * total_ms=3 upstream_ms=2 attempts=1 method=POST path=/api2}, with {@code cause=<token>} after the
 * decision when there is one. The same fields are the event's key/value pairs, in that order, which
 * Logback's {@code JsonEncoder} writes as its {@code kvpList}.
 *
 * <p>Why not SLF4J's fluent API: an event built through it costs the event loop a builder, an SLF4J
 * event, Logback's event, nine key/value pairs, an argument array and boxed numbers, and its writer
 * thread a parse of the message pattern (async-profiler, small-GET pass-through: ~12% of all bytes
 * allocated per request on the loop and ~24% on the writer). This event holds only its fields; the
 * message and the pairs are built from them when an encoder first asks, on the writer's thread, and
 * only what the encoder asks for: the text format ({@link TextLineEncoder}) reads neither, and writes
 * the fields straight into its batch.
 *
 * <p>What differs from an event SLF4J would build: {@link #getMessage()} is the formatted line and
 * there is no argument array (the fields are the key/value pairs); no MDC, markers, caller data or
 * throwable. The thread name, time and sequence number are taken when the event is made, the time
 * to the millisecond only (the text format's precision; in JSON, {@code nanoseconds} then ends in
 * six zeros). The logger's turbo filters are consulted by {@link #log}'s level check
 * ({@code Logger.isInfoEnabled}, {@code isWarnEnabled}), with no message.
 *
 * <p>Thread-safety: immutable once made, except the message, the pairs and the {@code Instant},
 * built lazily; two threads that build them at once build equal values, and each is safely
 * published (a {@code String}, an unmodifiable list, an {@code Instant}), so the race is benign.
 */
public final class AccessLine implements ILoggingEvent {

    private final Level level;
    private final String loggerName;
    private final LoggerContextVO context;
    private final String threadName;
    /** When the event was made, in milliseconds since the epoch. */
    private final long epochMillis;
    /** The same time as an {@code Instant}; made on first use (the writer's thread) when not given. */
    private Instant instant;
    private final long sequenceNumber;
    private final String route;
    private final String decision;
    private final String cause;
    private final int status;
    private final long bytes;
    private final long totalMs;
    private final long upstreamMs;
    private final int attempts;
    private final String method;
    private final String path;
    private String message;
    private List<KeyValuePair> keyValuePairs;

    private AccessLine(String loggerName, LoggerContextVO context, long sequenceNumber, Level level, Instant instant,
                       long epochMillis, String threadName, String route, String decision, String cause, int status, long bytes,
                       long totalMs, long upstreamMs, int attempts, String method, String path) {
        this.level = level;
        this.loggerName = loggerName;
        this.context = context;
        this.sequenceNumber = sequenceNumber;
        this.threadName = threadName;
        this.instant = instant;
        this.epochMillis = epochMillis;
        this.route = route;
        this.decision = decision;
        this.cause = cause;
        this.status = status;
        this.bytes = bytes;
        this.totalMs = totalMs;
        this.upstreamMs = upstreamMs;
        this.attempts = attempts;
        this.method = method;
        this.path = path;
    }

    /**
     * The {@code status} of a line whose caller was gone before its answer was written whole (before
     * any of it, or mid-body): nginx's 499 ("client closed request"), which log tools already know,
     * and never the status of an answer nobody got whole. Its {@code bytes} is what the socket took of
     * the body before: 0 when nothing was written ({@code SentBody} tells the rest).
     */
    public static final int CALLER_GONE_STATUS = 499;

    /** The {@code status} of a line: the answer's, once it was written whole, else {@link #CALLER_GONE_STATUS}. */
    public static int status(int answered, boolean writtenWhole) {
        return writtenWhole ? answered : CALLER_GONE_STATUS;
    }

    /**
     * Hands one line to {@code logger}, at WARN when {@code warn}, else at INFO, if that level is
     * enabled for it: as this event, to its appenders, when SLF4J is bound to Logback (mistguard's
     * own setup); else as the same message and key/value pairs through SLF4J's fluent API, so that a
     * class path with another SLF4J provider still logs (or drops) the line and never fails the
     * request. No field may be null but {@code cause}; numbers are written as given.
     *
     * @param decision the decision's token ({@code proxied}, {@code timeout}, ...)
     * @param cause the token of what made a stale answer stale, or {@code null} for none
     * @param totalMs milliseconds from the request's arrival to its answer
     * @param upstreamMs milliseconds spent at the upstream, 0 when none
     */
    public static void log(org.slf4j.Logger logger, boolean warn, String route, String decision, String cause,
                           int status, long bytes, long totalMs, long upstreamMs, int attempts, String method,
                           String path) {
        if (!(warn ? logger.isWarnEnabled() : logger.isInfoEnabled())) {
            return;
        }
        Level level = warn ? Level.WARN : Level.INFO;
        // To the millisecond, as the text format writes it: Clock.instant() is a native call in Java 17
        // that cost ~0.2 µs per line on the event loop (profile.sh, small GET); the Instant is made on
        // the writer's thread, if an encoder asks for one.
        long now = System.currentTimeMillis();
        String thread = Thread.currentThread().getName();
        if (logger instanceof Logger logback) {
            logback.callAppenders(of(logback, level, null, now, thread, route, decision, cause, status, bytes,
                                     totalMs, upstreamMs, attempts, method, path));
            return;
        }
        AccessLine line = new AccessLine(logger.getName(), null, 0, level, null, now, thread, route, decision, cause,
                                         status, bytes, totalMs, upstreamMs, attempts, method, path);
        LoggingEventBuilder event = warn ? logger.atWarn() : logger.atInfo();
        for (KeyValuePair pair : line.getKeyValuePairs()) {
            event.addKeyValue(pair.key, pair.value);
        }
        event.log(line.getFormattedMessage());
    }

    /** An event made at {@code instant} on {@code threadName}, not appended anywhere (for tests). */
    static AccessLine of(Logger logger, Level level, Instant instant, String threadName, String route, String decision,
                         String cause, int status, long bytes, long totalMs, long upstreamMs, int attempts,
                         String method, String path) {
        return of(logger, level, instant, instant.toEpochMilli(), threadName, route, decision, cause, status, bytes,
                  totalMs, upstreamMs, attempts, method, path);
    }

    /** An event made at {@code epochMillis} ({@code instant}: the same time, or null to make it when asked). */
    private static AccessLine of(Logger logger, Level level, Instant instant, long epochMillis, String threadName,
                                 String route, String decision, String cause, int status, long bytes, long totalMs,
                                 long upstreamMs, int attempts, String method, String path) {
        SequenceNumberGenerator sequence = logger.getLoggerContext().getSequenceNumberGenerator();
        return new AccessLine(logger.getName(), logger.getLoggerContext().getLoggerContextRemoteView(),
                              sequence == null ? 0 : sequence.nextSequenceNumber(), level, instant, epochMillis,
                              threadName, route, decision, cause, status, bytes, totalMs, upstreamMs, attempts, method,
                              path);
    }

    @Override
    public String getFormattedMessage() {
        String formatted = message;
        if (formatted == null) {
            LineBuffer line = new LineBuffer(112 + route.length() + path.length());
            writeMessage(line, StandardCharsets.UTF_8); // the one place the line's format is written
            formatted = line.toString(StandardCharsets.UTF_8);
            message = formatted;
        }
        return formatted;
    }

    /**
     * Appends the message, encoded with {@code charset}: what {@link #getFormattedMessage()} returns,
     * without making the string ({@link TextLineEncoder}).
     */
    void writeMessage(LineBuffer out, Charset charset) {
        out.ascii("route=").text(route, charset).ascii(" decision=").text(decision, charset);
        if (cause != null) {
            out.ascii(" cause=").text(cause, charset);
        }
        out.ascii(" status=").decimal(status).ascii(" bytes=").decimal(bytes)
           .ascii(" total_ms=").decimal(totalMs).ascii(" upstream_ms=").decimal(upstreamMs)
           .ascii(" attempts=").decimal(attempts).ascii(" method=").text(method, charset)
           .ascii(" path=").text(path, charset);
    }

    @Override
    public List<KeyValuePair> getKeyValuePairs() {
        List<KeyValuePair> pairs = keyValuePairs;
        if (pairs == null) {
            KeyValuePair[] all = new KeyValuePair[cause == null ? 9 : 10];
            int i = 0;
            all[i++] = new KeyValuePair("route", route);
            all[i++] = new KeyValuePair("decision", decision);
            if (cause != null) {
                all[i++] = new KeyValuePair("cause", cause);
            }
            all[i++] = new KeyValuePair("status", status);
            all[i++] = new KeyValuePair("bytes", bytes);
            all[i++] = new KeyValuePair("total_ms", totalMs);
            all[i++] = new KeyValuePair("upstream_ms", upstreamMs);
            all[i++] = new KeyValuePair("attempts", attempts);
            all[i++] = new KeyValuePair("method", method);
            all[i] = new KeyValuePair("path", path);
            pairs = List.of(all);
            keyValuePairs = pairs;
        }
        return pairs;
    }

    /** The formatted line: this event has no pattern and arguments apart from its fields. */
    @Override
    public String getMessage() {
        return getFormattedMessage();
    }

    @Override
    public Object[] getArgumentArray() {
        return null;
    }

    @Override
    public String getThreadName() {
        return threadName;
    }

    @Override
    public Level getLevel() {
        return level;
    }

    @Override
    public String getLoggerName() {
        return loggerName;
    }

    @Override
    public LoggerContextVO getLoggerContextVO() {
        return context;
    }

    @Override
    public IThrowableProxy getThrowableProxy() {
        return null;
    }

    @Override
    public StackTraceElement[] getCallerData() {
        return CallerData.EMPTY_CALLER_DATA_ARRAY;
    }

    @Override
    public boolean hasCallerData() {
        return false;
    }

    @Override
    public List<Marker> getMarkerList() {
        return null;
    }

    @Override
    public Map<String, String> getMDCPropertyMap() {
        return Map.of();
    }

    /** @deprecated as in {@link ILoggingEvent}: use {@link #getMDCPropertyMap()}. */
    @Deprecated
    @Override
    public Map<String, String> getMdc() {
        return Map.of();
    }

    @Override
    public long getTimeStamp() {
        return epochMillis;
    }

    @Override
    public int getNanoseconds() {
        return getInstant().getNano();
    }

    @Override
    public Instant getInstant() {
        Instant made = instant;
        if (made == null) {
            made = Instant.ofEpochMilli(epochMillis);
            instant = made; // an immutable value: a second thread that makes it too makes an equal one
        }
        return made;
    }

    @Override
    public long getSequenceNumber() {
        return sequenceNumber;
    }

    /** Nothing to do: every field was taken when the event was made. */
    @Override
    public void prepareForDeferredProcessing() {
    }

    @Override
    public String toString() {
        return "[" + level + "] " + getFormattedMessage();
    }
}
