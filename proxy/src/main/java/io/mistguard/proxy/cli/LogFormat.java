package io.mistguard.proxy.cli;

import ch.qos.logback.classic.LoggerContext;
import io.mistguard.proxy.logging.DefaultLogging;
import org.slf4j.LoggerFactory;

/**
 * Puts the log format of the effective configuration in force. Logback set mistguard's default
 * logging ({@link DefaultLogging}) up from {@code MISTGUARD_LOG_FORMAT} alone, before the config file
 * was read; the effective format is the variable's when it is set and not blank, else the file's
 * {@code logging.format} ({@link RunCommand}'s environment step decides). An operator's own Logback
 * configuration is left alone. Called once, at start, before anything is served.
 */
final class LogFormat {

    static final String VARIABLE = DefaultLogging.FORMAT_VARIABLE;

    private LogFormat() {}

    /** Switches this process's default logging to {@code format} ({@code text} or {@code json}) if needed. */
    static void apply(String format) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            apply(context, format);
        }
    }

    /**
     * Switches {@code context} to {@code format} when it runs the default logging in another format, then
     * logs the warning the default logging kept for this moment, if any.
     */
    static void apply(LoggerContext context, String format) {
        String inForce = DefaultLogging.formatInForce(context);
        if (inForce != null && !inForce.equals(format)) {
            DefaultLogging.apply(context, format);
        }
        DefaultLogging.logPendingWarning(context);
    }
}
