package io.mistguard.proxy.config;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * How mistguard logs: whether each request gets an access-log line ({@code mistguard.access}
 * logger) and whether lines are readable text or JSON (also {@code MISTGUARD_LOG_FORMAT}, which wins).
 *
 * @param accessLog one line per request on the {@code mistguard.access} logger
 * @param format {@code text} or {@code json}
 */
public record LoggingConfig(boolean accessLog, Format format) {

    /** The two shipped log formats. */
    public enum Format {
        TEXT, JSON;

        /** The name used in the config file and the environment. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code text} or {@code json}; anything else is an error naming both. */
        public static Format parse(String text) {
            for (Format f : values()) {
                if (f.configName().equals(text)) {
                    return f;
                }
            }
            throw new IllegalArgumentException(Quotes.quote(text) + " is not a log format (expected: text or json)");
        }
    }

    private static final LoggingConfig DEFAULTS = new LoggingConfig(true, Format.TEXT);

    public LoggingConfig {
        requireNonNull(format, "format");
    }

    /** Access log on, text format. */
    public static LoggingConfig defaults() {
        return DEFAULTS;
    }

    /** Returns a copy in {@code format} given as {@code text} or {@code json}. */
    public LoggingConfig withFormat(String format) {
        return new LoggingConfig(accessLog, Format.parse(format));
    }
}
