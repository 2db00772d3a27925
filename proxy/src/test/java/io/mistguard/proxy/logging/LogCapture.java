package io.mistguard.proxy.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * Records what one Logback logger emits, for tests. {@code logback-test.xml} keeps test output at
 * WARN, so the capture sets the level it needs and {@link #close()} restores level, additivity and
 * appenders. Events are recorded synchronously on the logging thread (no async appender between),
 * and the list is thread-safe.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final Level previousLevel;
    private final boolean previousAdditive;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(Logger logger, Level level) {
        this.logger = logger;
        this.previousLevel = logger.getLevel();
        this.previousAdditive = logger.isAdditive();
        appender.list = Collections.synchronizedList(new ArrayList<>());
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(level);
        logger.setAdditive(false); // keep the console quiet; the events are asserted instead
    }

    /** Starts recording {@code name} at {@code level} and up. */
    public static LogCapture of(String name, Level level) {
        return new LogCapture((Logger) LoggerFactory.getLogger(name), level);
    }

    /** Everything recorded so far, in order. */
    public List<ILoggingEvent> events() {
        synchronized (appender.list) {
            return List.copyOf(appender.list);
        }
    }

    /** The first recorded event matching {@code test}, polling until {@code within} has passed. */
    public Optional<ILoggingEvent> await(Predicate<ILoggingEvent> test, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Optional<ILoggingEvent> found = events().stream().filter(test).findFirst();
            if (found.isPresent() || System.nanoTime() - deadline > 0) {
                return found;
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(previousLevel);
        logger.setAdditive(previousAdditive);
    }
}
