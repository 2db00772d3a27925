package io.mistguard.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.mistguard.proxy.logging.BatchingAppender;
import io.mistguard.proxy.logging.DefaultLogging;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code deploy/logback.xml}, the operator's starting point for a Logback file of their own, sets up
 * what mistguard's default logging ({@link DefaultLogging}, in code) sets up, in each format: the same
 * loggers and levels, the same appender names and types, the same encoders. The two cannot drift apart.
 */
class LogbackExampleTest {

    @ParameterizedTest
    @ValueSource(strings = {"text", "json"})
    void theExampleFileSetsUpWhatTheDefaultSetsUp(String format) throws Exception {
        LoggerContext fromFile = new LoggerContext();
        LoggerContext fromCode = new LoggerContext();
        try {
            fromFile.putProperty(DefaultLogging.FORMAT_VARIABLE, format);
            JoranConfigurator joran = new JoranConfigurator();
            joran.setContext(fromFile);
            joran.doConfigure(DeployFiles.DEPLOY.resolve("logback.xml").toFile());
            DefaultLogging.apply(fromCode, format);

            for (String name : List.of(org.slf4j.Logger.ROOT_LOGGER_NAME, DefaultLogging.ACCESS_LOGGER, "io.netty")) {
                assertThat(shape(fromFile.getLogger(name))).as("logger %s", name)
                        .isEqualTo(shape(fromCode.getLogger(name)));
            }
        } finally {
            fromFile.stop();
            fromCode.stop();
        }
    }

    /** Level, additivity and each appender's name, type, start state, encoder and batching, as text. */
    private static List<String> shape(Logger logger) throws ReflectiveOperationException {
        List<String> shape = new ArrayList<>(List.of("level=" + logger.getLevel(), "additive=" + logger.isAdditive()));
        for (var it = logger.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> appender = it.next();
            shape.add(appender.getName() + ":" + appender.getClass().getSimpleName() + " started=" + appender.isStarted()
                              + " encoder=" + describe(encoder(appender)) + batching(appender));
        }
        return shape;
    }

    private static String batching(Appender<ILoggingEvent> appender) {
        return appender instanceof BatchingAppender batching
                ? " queueSize=" + batching.getQueueSize() + " flushMillis=" + batching.getFlushMillis()
                  + " wakeLines=" + batching.getWakeLines()
                : "";
    }

    private static Encoder<ILoggingEvent> encoder(Appender<ILoggingEvent> appender) {
        return appender instanceof OutputStreamAppender<ILoggingEvent> stream ? stream.getEncoder()
                : ((BatchingAppender) appender).getEncoder();
    }

    /** An encoder's type and settings: the pattern, or every JSON switch. */
    private static String describe(Encoder<ILoggingEvent> encoder) throws ReflectiveOperationException {
        if (encoder instanceof PatternLayoutEncoder pattern) {
            return "pattern " + pattern.getPattern();
        }
        StringBuilder text = new StringBuilder(encoder.getClass().getSimpleName());
        for (Class<?> type = encoder.getClass(); type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (field.getType() == boolean.class && field.getName().startsWith("with")) {
                    field.setAccessible(true);
                    text.append(' ').append(field.getName()).append('=').append(field.getBoolean(encoder));
                }
            }
        }
        return text.toString();
    }
}
