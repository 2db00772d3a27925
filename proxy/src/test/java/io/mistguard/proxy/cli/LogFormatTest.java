package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import io.mistguard.proxy.config.LoggingConfig;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.logging.DefaultLogging;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which log format is in force at start: {@code MISTGUARD_LOG_FORMAT} when set and not blank, else the
 * file's {@code logging.format} — through the same two steps as a start ({@link RunCommand}'s environment
 * step, then {@link LogFormat#apply}), on a context of the test's own that the default logging set up
 * from the variable, as Logback does. (What the json format writes: {@code server/JsonLogFormatTest}.)
 */
class LogFormatTest {

    @ParameterizedTest(name = "file {0}, environment [{1}] -> {2}")
    @CsvSource(nullValues = "null", value = {
        "TEXT, null, text",
        "JSON, null, json",
        "TEXT, json, json",
        "JSON, text, text",
        "JSON, '  ', json",
        "JSON, '', json",
        "TEXT, ' json ', json",
    })
    void theEnvironmentWinsOverTheFileUnlessBlank(LoggingConfig.Format file, String environment, String expected) {
        assertThat(formatAtStart(file, environment)).isEqualTo(expected);
    }

    /**
     * Regression: with MISTGUARD_LOG_FORMAT set but empty (a compose file's {@code ${X:-}}, a Helm
     * template), {@code logging.format: json} was ignored and lines were text, because the switch
     * checked only that the variable was set.
     */
    @Test
    void anEmptyEnvironmentVariableLeavesTheFilesJsonInForceRegression() {
        assertThat(formatAtStart(LoggingConfig.Format.JSON, "")).isEqualTo("json");
    }

    @Test
    void theFormatAlreadyInForceIsNotSetUpAgain() {
        LoggerContext context = new LoggerContext();
        try {
            DefaultLogging.apply(context, "json");
            List<Appender<ILoggingEvent>> before = rootAppenders(context);

            LogFormat.apply(context, "json");

            assertThat(rootAppenders(context)).containsExactlyElementsOf(before);
        } finally {
            context.stop();
        }
    }

    @Test
    void anOperatorsOwnConfigurationIsLeftAlone() {
        LoggerContext operators = new LoggerContext();
        try {
            LogFormat.apply(operators, "json");

            assertThat(DefaultLogging.inForce(operators)).isFalse();
            assertThat(rootAppenders(operators)).isEmpty();
        } finally {
            operators.stop();
        }
    }

    private static String formatAtStart(LoggingConfig.Format file, String environment) {
        List<String> problems = new ArrayList<>();
        ProxyConfig config = RunCommand.environment(ProxyConfig.defaults().withLogging(new LoggingConfig(true, file)),
                problems, name -> name.equals(LogFormat.VARIABLE) ? environment : null);
        assertThat(problems).isEmpty();
        LoggerContext context = new LoggerContext();
        try {
            DefaultLogging.apply(context, environment); // what Logback did, from the variable alone
            LogFormat.apply(context, config.logging().format().configName());
            return DefaultLogging.formatInForce(context);
        } finally {
            context.stop();
        }
    }

    private static List<Appender<ILoggingEvent>> rootAppenders(LoggerContext context) {
        List<Appender<ILoggingEvent>> list = new ArrayList<>();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(list::add);
        return list;
    }
}
