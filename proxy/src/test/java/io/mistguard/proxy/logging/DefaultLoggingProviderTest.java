package io.mistguard.proxy.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.LogbackServiceProvider;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.OnConsoleStatusListener;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

    /**
     * Regression: a {@code Configurator} service of the operator's own, ranked above mistguard's default
     * logging, no longer ran (Logback's start-up runs the highest ranked first); nor did Logback's start-up
     * messages reach a status listener named with {@code -Dlogback.statusListenerClass}. Both now get
     * Logback's own start-up; a configurator Logback would have run after the default does not.
     */
    @Test
    void anOperatorsConfiguratorOrStatusListenerGetsLogbacksStartUpRegression(@TempDir Path dir) throws Exception {
        ClassLoader tests = getClass().getClassLoader();
        UnaryOperator<String> none = name -> null;
        assertThat(DefaultLoggingProvider.logbacksStartUpAsked(none, tests)).as("only mistguard's own").isFalse();
        assertThat(DefaultLoggingProvider.logbacksStartUpAsked(
                name -> name.equals("logback.statusListenerClass") ? OnConsoleStatusListener.class.getName() : null, tests))
                .isTrue();
        Map<Class<?>, Boolean> expected = Map.of(TopRanked.class, true, SameRank.class, true, LowRanked.class, false,
                                                 Unranked.class, false);
        for (Map.Entry<Class<?>, Boolean> entry : expected.entrySet()) {
            assertThat(DefaultLoggingProvider.logbacksStartUpAsked(none, withConfigurator(dir, entry.getKey().getName())))
                    .as(entry.getKey().getSimpleName()).isEqualTo(entry.getValue());
        }
        assertThat(DefaultLoggingProvider.logbacksStartUpAsked(none, withConfigurator(dir, "no.such.Configurator")))
                .as("an entry Logback would report").isTrue();
    }

    /** A class loader over the tests' that also lists {@code configurator} as a Configurator service. */
    private static ClassLoader withConfigurator(Path dir, String configurator) throws Exception {
        Path services = Files.createDirectories(dir.resolve(configurator).resolve("META-INF/services"));
        Files.writeString(services.resolve(Configurator.class.getName()), configurator + "\n");
        return new URLClassLoader(new URL[] {dir.resolve(configurator).toUri().toURL()},
                                  DefaultLoggingProviderTest.class.getClassLoader());
    }

    /** An operator's configurator that Logback runs before mistguard's. */
    @ConfiguratorRank(ConfiguratorRank.CUSTOM_TOP_PRIORITY)
    public static final class TopRanked extends Unranked {
    }

    /** Ranked as mistguard's: Logback's order between the two is its own. */
    @ConfiguratorRank(DefaultLogging.RANK)
    public static final class SameRank extends Unranked {
    }

    /** Ranked below mistguard's: Logback never reached it, as mistguard's ends the search. */
    @ConfiguratorRank(ConfiguratorRank.CUSTOM_LOW_PRIORITY)
    public static final class LowRanked extends Unranked {
    }

    /** No rank: Logback's default rank, below mistguard's. */
    public static class Unranked extends ContextAwareBase implements Configurator {
        @Override
        public ExecutionStatus configure(LoggerContext context) {
            return ExecutionStatus.NEUTRAL;
        }
    }

    private static List<String> appenderNames(LoggerContext context) {
        List<String> names = new ArrayList<>();
        context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(a -> names.add(a.getName()));
        return names;
    }
}
