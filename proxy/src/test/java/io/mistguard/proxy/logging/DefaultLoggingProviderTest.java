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
     * Regression: a {@code Configurator} service of the operator's own no longer ran (Logback runs them
     * in rank order, the highest first), nor was one that cannot be made reported (Logback makes them
     * all); nor did Logback's start-up messages reach a status listener named with
     * {@code -Dlogback.statusListenerClass}. Any such service, of any rank, and the listener now get
     * Logback's own start-up; a services file naming mistguard's own alone does not.
     */
    @Test
    void anOperatorsConfiguratorOrStatusListenerGetsLogbacksStartUpRegression(@TempDir Path dir) throws Exception {
        ClassLoader tests = getClass().getClassLoader();
        UnaryOperator<String> none = name -> null;
        assertThat(DefaultLoggingProvider.logbacksStartUpAsked(none, tests)).as("only mistguard's own").isFalse();
        assertThat(DefaultLoggingProvider.logbacksStartUpAsked(
                name -> name.equals("logback.statusListenerClass") ? OnConsoleStatusListener.class.getName() : null, tests))
                .isTrue();
        for (Class<?> configurator : List.of(TopRanked.class, SameRank.class, LowRanked.class, Unranked.class)) {
            assertThat(DefaultLoggingProvider.logbacksStartUpAsked(none, withConfigurator(dir, configurator.getName())))
                    .as(configurator.getSimpleName()).isTrue();
        }
        assertThat(DefaultLoggingProvider.logbacksStartUpAsked(none, withConfigurator(dir, "no.such.Configurator")))
                .as("an entry Logback would report").isTrue();
        assertThat(DefaultLoggingProvider.logbacksStartUpAsked(none, withConfigurator(dir,
                "# mistguard's own, again\n  " + DefaultLogging.class.getName() + "  # a comment\r\n\n")))
                .as("only mistguard's own").isFalse();
    }

    /** A class loader over the tests' with one more Configurator services file, holding {@code entries}. */
    private static ClassLoader withConfigurator(Path dir, String entries) throws Exception {
        Path root = Files.createTempDirectory(dir, "services");
        Path services = Files.createDirectories(root.resolve("META-INF/services"));
        Files.writeString(services.resolve(Configurator.class.getName()), entries + "\n");
        return new URLClassLoader(new URL[] {root.toUri().toURL()}, DefaultLoggingProviderTest.class.getClassLoader());
    }

    /** An operator's configurator that Logback runs before mistguard's. */
    @ConfiguratorRank(ConfiguratorRank.CUSTOM_TOP_PRIORITY)
    public static final class TopRanked extends Unranked {
    }

    /** Ranked as mistguard's: the class path's order decides which of the two Logback runs first. */
    @ConfiguratorRank(DefaultLogging.RANK)
    public static final class SameRank extends Unranked {
    }

    /** Ranked below mistguard's: Logback makes it, and runs it only if mistguard's lets the search go on. */
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
