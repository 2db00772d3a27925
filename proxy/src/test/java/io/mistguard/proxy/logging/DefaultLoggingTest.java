package io.mistguard.proxy.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link DefaultLogging} on contexts of the test's own (the tests' logging is untouched): what it sets
 * up in each format, that a format switch replaces what was there, and when it stands aside for an
 * operator's own configuration.
 */
class DefaultLoggingTest {

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {"null, text", "text, text", "json, json", "' json ', json", "yaml, text"})
    void setsUpStdoutAndTheAccessLogInTheFormatAsked(String asked, String expected) {
        LoggerContext context = new LoggerContext();
        try {
            DefaultLogging.apply(context, asked);

            Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            assertThat(root.getLevel()).isEqualTo(Level.INFO);
            assertThat(appenders(root)).singleElement().satisfies(console -> {
                assertThat(console).isInstanceOf(ConsoleAppender.class);
                assertThat(console.getName()).isEqualTo(expected);
                assertThat(console.isStarted()).isTrue();
                assertFormat(((ConsoleAppender<ILoggingEvent>) console).getEncoder(), expected);
            });
            Logger access = context.getLogger(DefaultLogging.ACCESS_LOGGER);
            assertThat(access.getLevel()).isEqualTo(Level.INFO);
            assertThat(access.isAdditive()).as("access lines go to the access appender only").isFalse();
            assertThat(appenders(access)).singleElement().satisfies(appender -> {
                assertThat(appender).isInstanceOf(BatchingAppender.class);
                assertThat(appender.getName()).isEqualTo("access-" + expected);
                assertThat(appender.isStarted()).isTrue();
            });
            assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
            assertThat(DefaultLogging.inForce(context)).isTrue();
            assertThat(DefaultLogging.formatInForce(context)).isEqualTo(expected);
        } finally {
            context.stop();
        }
    }

    @Test
    void aFormatSwitchReplacesTheAppendersAndStopsTheOldAccessWriter() {
        LoggerContext context = new LoggerContext();
        try {
            DefaultLogging.apply(context, "text");
            Appender<ILoggingEvent> oldAccess = appenders(context.getLogger(DefaultLogging.ACCESS_LOGGER)).get(0);

            DefaultLogging.apply(context, "json");

            assertThat(oldAccess.isStarted()).as("the text access appender and its thread are stopped").isFalse();
            assertThat(appenders(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)))
                    .extracting(Appender::getName).containsExactly("json");
            assertThat(appenders(context.getLogger(DefaultLogging.ACCESS_LOGGER)))
                    .extracting(Appender::getName).containsExactly("access-json");
            assertThat(DefaultLogging.inForce(context)).as("still marked after the reset").isTrue();
        } finally {
            context.stop();
        }
    }

    @Test
    void aContextItDidNotConfigureIsNotInForce() {
        assertThat(DefaultLogging.inForce(new LoggerContext())).isFalse();
    }

    @Test
    void standsAsideForAConfigurationFileNamedByProperty(@TempDir Path dir) throws Exception {
        ClassLoader bare = new URLClassLoader(new URL[0], null);
        Path file = Files.writeString(dir.resolve("mine.xml"), "<configuration/>");

        for (String named : List.of(file.toString(), file.toUri().toString(), "https://config.example/logback.xml")) {
            assertThat(DefaultLogging.operatorChose(Map.of(DefaultLogging.FILE_PROPERTY, named)::get, bare))
                    .as(named).isTrue();
        }
        assertThat(DefaultLogging.operatorChose(name -> null, bare)).isFalse();
    }

    /**
     * Regression: a -Dlogback.configurationFile naming nothing made the default stand aside, and Logback
     * fell back to its own console setup at DEBUG: ~50 Netty DEBUG lines at start, access lines in
     * another layout, and no word that the file was missing.
     */
    @Test
    void aConfigurationFileThatNamesNothingIsNotAChoiceRegression(@TempDir Path dir) throws Exception {
        ClassLoader bare = new URLClassLoader(new URL[0], null);
        for (String named : List.of(dir.resolve("missing.xml").toString(), dir.resolve("missing.xml").toUri().toString(),
                "", "no-such-resource.xml", dir.toString(), "bad\0path")) {
            assertThat(DefaultLogging.operatorChose(Map.of(DefaultLogging.FILE_PROPERTY, named)::get, bare))
                    .as("[%s]", named).isFalse();
        }
    }

    /**
     * Review: an empty -Dlogback.configurationFile was taken as a choice (getResource("") finds a directory
     * of the multi-release jar), and Logback then failed and logged nothing at all for the whole run.
     */
    @Test
    void anEmptyConfigurationFileIsNotAChoiceEvenWhereTheLoaderFindsAnEmptyNameRegression(@TempDir Path dir)
            throws Exception {
        try (URLClassLoader findsEmptyName = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertThat(findsEmptyName.getResource("")).as("a directory on the class path answers for \"\"").isNotNull();
            for (String named : List.of("", " ")) {
                assertThat(DefaultLogging.operatorChose(Map.of(DefaultLogging.FILE_PROPERTY, named)::get, findsEmptyName))
                        .as("[%s]", named).isFalse();
            }
        }
    }

    @Test
    void aClassPathResourceNamedByPropertyIsAChoice(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ops-logging.xml"), "<configuration/>");
        try (URLClassLoader withResource = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertThat(DefaultLogging.operatorChose(Map.of(DefaultLogging.FILE_PROPERTY, "ops-logging.xml")::get,
                    withResource)).isTrue();
        }
    }

    @ParameterizedTest
    @CsvSource({"logback.xml", "logback-test.xml"})
    void standsAsideForALogbackFileOnTheClassPath(String file, @TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(file), "<configuration/>");
        try (URLClassLoader withFile = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertThat(DefaultLogging.operatorChose(name -> null, withFile)).isTrue();
        }
    }

    @Test
    void logbacksEntryPointLetsTheTestsOwnFileWin() {
        // The test class path has logback-test.xml, so Logback's own search must run after this one.
        LoggerContext context = new LoggerContext();
        DefaultLogging configurator = new DefaultLogging();
        configurator.setContext(context);
        assertThat(configurator.configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(DefaultLogging.inForce(context)).isFalse();
    }

    private static void assertFormat(Object encoder, String format) {
        if (format.equals("json")) {
            assertThat(encoder).isInstanceOf(JsonEncoder.class);
        } else {
            assertThat(encoder).isInstanceOf(TextLineEncoder.class);
        }
    }

    private static List<Appender<ILoggingEvent>> appenders(Logger logger) {
        List<Appender<ILoggingEvent>> list = new ArrayList<>();
        logger.iteratorForAppenders().forEachRemaining(list::add);
        return list;
    }
}
