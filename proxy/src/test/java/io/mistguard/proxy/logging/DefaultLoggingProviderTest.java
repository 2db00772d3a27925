package io.mistguard.proxy.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LogbackServiceProvider;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@link DefaultLoggingProvider} binds SLF4J to Logback as Logback's own provider does (what the
 * getters give), and lets an operator's Logback file (here the tests' {@code logback-test.xml}) decide.
 * What it configures without one is {@code FatJarLoggingIT}'s: only the jar has no Logback file.
 */
class DefaultLoggingProviderTest {

    @Test
    void bindsAsLogbacksOwnProviderDoes() {
        DefaultLoggingProvider ours = new DefaultLoggingProvider();
        LogbackServiceProvider logbacks = new LogbackServiceProvider();
        ours.initialize();
        logbacks.initialize();
        try {
            assertThat(ours.getRequestedApiVersion()).isEqualTo(logbacks.getRequestedApiVersion());
            LoggerContext context = (LoggerContext) ours.getLoggerFactory();
            LoggerContext theirs = (LoggerContext) logbacks.getLoggerFactory();
            assertThat(context.getName()).isEqualTo(theirs.getName());
            assertThat(context.isStarted()).isTrue();
            assertThat(ours.getMDCAdapter()).isInstanceOf(LogbackMDCAdapter.class).isSameAs(context.getMDCAdapter());
            assertThat(ours.getMarkerFactory().getClass()).isEqualTo(logbacks.getMarkerFactory().getClass());
            assertThat(appenderNames(context)).isEqualTo(appenderNames(theirs)).isNotEmpty();
        } finally {
            ((LoggerContext) ours.getLoggerFactory()).stop();
            ((LoggerContext) logbacks.getLoggerFactory()).stop();
        }
    }

    @Test
    void anOperatorsLogbackFileDecides() {
        DefaultLoggingProvider provider = new DefaultLoggingProvider();
        provider.initialize();
        LoggerContext context = (LoggerContext) provider.getLoggerFactory();
        try {
            assertThat(DefaultLogging.inForce(context)).as("logback-test.xml is on the class path").isFalse();
        } finally {
            context.stop();
        }
    }

    @Test
    void theTestsRunWithThisProvider() {
        // The build names it with slf4j.provider; without that, SLF4J would pick one of two.
        assertThat(System.getProperty("slf4j.provider")).isEqualTo(DefaultLoggingProvider.class.getName());
        assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(LoggerContext.class);
    }

    private static List<String> appenderNames(LoggerContext context) {
        List<String> names = new ArrayList<>();
        context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(a -> names.add(a.getName()));
        return names;
    }
}
