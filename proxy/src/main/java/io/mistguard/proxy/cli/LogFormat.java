package io.mistguard.proxy.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.mistguard.proxy.config.LoggingConfig;
import java.net.URL;
import org.slf4j.LoggerFactory;

/**
 * Applies the log format of the config file ({@code logging.format}) to the shipped
 * {@code logback.xml}, which picks its appenders by the {@code MISTGUARD_LOG_FORMAT} property.
 * The environment variable wins (Logback already read it), and an operator's own
 * {@code -Dlogback.configurationFile} is left alone. Called once, at start, before anything is served.
 */
final class LogFormat {

    static final String VARIABLE = "MISTGUARD_LOG_FORMAT";

    private LogFormat() {}

    /** The format in force: the environment's when set, else the file's. */
    static String effective(LoggingConfig logging, String fromEnvironment) {
        return fromEnvironment == null || fromEnvironment.isBlank() ? logging.format().configName() : fromEnvironment;
    }

    /** Reloads the shipped Logback config in {@code format} when it is not already in force. */
    static void apply(String format) {
        if (System.getProperty("logback.configurationFile") != null || System.getenv(VARIABLE) != null
                || format.equals(LoggingConfig.Format.TEXT.configName())
                || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        URL shipped = LogFormat.class.getClassLoader().getResource("logback.xml");
        if (shipped == null) {
            return;
        }
        context.reset();
        context.putProperty(VARIABLE, format);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(shipped);
        } catch (JoranException e) {
            System.err.println("mistguard: could not switch the log format to " + format + ": " + e);
        }
    }
}
