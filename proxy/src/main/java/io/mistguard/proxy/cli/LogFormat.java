package io.mistguard.proxy.cli;

import ch.qos.logback.classic.LoggerContext;
import io.mistguard.proxy.config.LoggingConfig;
import io.mistguard.proxy.logging.DefaultLogging;
import org.slf4j.LoggerFactory;

/**
 * Applies the log format of the config file ({@code logging.format}) to mistguard's default logging
 * ({@link DefaultLogging}), which Logback set up from {@code MISTGUARD_LOG_FORMAT} alone. The
 * environment variable wins (it is already in force), and an operator's own Logback configuration
 * ({@code -Dlogback.configurationFile}, or a {@code logback.xml} on the class path) is left alone.
 * Called once, at start, before anything is served.
 */
final class LogFormat {

    static final String VARIABLE = DefaultLogging.FORMAT_VARIABLE;

    private LogFormat() {}

    /** The format in force: the environment's when set, else the file's. */
    static String effective(LoggingConfig logging, String fromEnvironment) {
        return fromEnvironment == null || fromEnvironment.isBlank() ? logging.format().configName() : fromEnvironment;
    }

    /** Switches the default logging to {@code format} when it is in force and not already in that format. */
    static void apply(String format) {
        if (System.getenv(VARIABLE) != null
                || format.equals(LoggingConfig.Format.TEXT.configName())
                || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)
                || !DefaultLogging.inForce(context)) {
            return;
        }
        DefaultLogging.apply(context, format);
    }
}
