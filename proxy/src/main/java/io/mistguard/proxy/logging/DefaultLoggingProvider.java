package io.mistguard.proxy.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.LogbackServiceProvider;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.StatusUtil;
import ch.qos.logback.core.util.StatusPrinter;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.UnaryOperator;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.Util;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J provider of mistguard's jar: SLF4J's binding to Logback, as Logback's own
 * {@link LogbackServiceProvider} binds it (one {@link LoggerContext} named {@code default}, Logback's
 * MDC adapter, SLF4J's basic marker factory), except for how the context is configured. Logback's
 * provider always runs its {@link ContextInitializer}, which checks that logback-core and -classic
 * are the same version (reading both jars' properties), loads every {@code Configurator} service and
 * reads their rank annotations, and links string concatenations for its status messages: about a tenth
 * of mistguard's CPU before it was ready, on one core, in {@code deploy/bench/startup.sh}'s profile,
 * for status messages {@link DefaultLogging} discards. This provider applies {@link DefaultLogging}
 * directly. It runs Logback's {@link ContextInitializer} exactly as Logback's provider does, and
 * prints Logback's status on errors or warnings as it does, when the operator asked for Logback's own
 * start-up in any of the ways Logback knows:
 * <ul>
 *   <li>a Logback file ({@code -Dlogback.configurationFile}, or {@code logback-test.xml} or
 *       {@code logback.xml} on the class path): {@link DefaultLogging} stands aside;
 *   <li>a {@code Configurator} service of their own that Logback ranks at or above
 *       {@link DefaultLogging}'s rank ({@link ConfiguratorRank}; unannotated ones rank
 *       {@link ConfiguratorRank#DEFAULT}), which Logback would have run first;
 *   <li>{@code -Dlogback.statusListenerClass}: a listener for Logback's start-up messages, which are
 *       then written.
 * </ul>
 * {@link DefaultLogging}, found by Logback through its own service entry, then applies itself when its
 * turn comes and no file was chosen.
 *
 * <p>The jar lists only this provider in {@code META-INF/services/org.slf4j.spi.SLF4JServiceProvider}
 * (the build leaves Logback's entry out), so SLF4J finds one provider and says nothing. On a class
 * path with Logback's jar (the tests), SLF4J finds both; the build names this one with the
 * {@code slf4j.provider} property.
 *
 * <p>Thread-safety: SLF4J calls {@link #initialize} once, on the thread of the first
 * {@code LoggerFactory} call, before the getters.
 */
public final class DefaultLoggingProvider implements SLF4JServiceProvider {

    /** The SLF4J API version this provider was written for (Logback 1.5's provider declares the same). */
    static final String REQUESTED_API_VERSION = "2.0.99";

    private LoggerContext context;
    private IMarkerFactory markers;
    private LogbackMDCAdapter mdc;

    @Override
    public void initialize() {
        LoggerContext created = new LoggerContext();
        created.setName(CoreConstants.DEFAULT_CONTEXT_NAME);
        LogbackMDCAdapter adapter = new LogbackMDCAdapter();
        created.setMDCAdapter(adapter);
        try {
            configure(created);
        } catch (RuntimeException e) { // as Logback's provider: report, and log with what is set up
            Util.report("Failed to instantiate [" + LoggerContext.class.getName() + "]", e);
        }
        created.start();
        markers = new BasicMarkerFactory();
        mdc = adapter;
        context = created;
    }

    /** {@link DefaultLogging}, or Logback's own start-up when the operator asked for it. */
    static void configure(LoggerContext context) {
        if (!logbacksStartUpAsked(System::getProperty, DefaultLoggingProvider.class.getClassLoader())) {
            DefaultLogging defaults = new DefaultLogging();
            defaults.setContext(context);
            if (defaults.configure(context) == ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY) {
                return;
            }
        }
        try {
            new ContextInitializer(context).autoConfig(); // runs DefaultLogging in its turn, unless a file was chosen
        } catch (JoranException e) {
            Util.report("Failed to auto configure default logger context", e);
        }
        if (!StatusUtil.contextHasStatusListener(context)) {
            StatusPrinter.printInCaseOfErrorsOrWarnings(context);
        }
    }

    /**
     * Whether the operator asked for Logback's own start-up without naming a Logback file: a status
     * listener ({@code logback.statusListenerClass} in {@code systemProperty}), or a {@code Configurator}
     * service that {@code loader} finds, other than {@link DefaultLogging}, ranked at or above it. A
     * service entry that cannot be loaded counts too: Logback's start-up then reports it.
     */
    static boolean logbacksStartUpAsked(UnaryOperator<String> systemProperty, ClassLoader loader) {
        if (systemProperty.apply(CoreConstants.STATUS_LISTENER_CLASS_KEY) != null) {
            return true;
        }
        try {
            return ServiceLoader.load(Configurator.class, loader).stream().map(ServiceLoader.Provider::type)
                    .anyMatch(type -> type != DefaultLogging.class && rank(type) >= DefaultLogging.RANK);
        } catch (ServiceConfigurationError unloadable) {
            return true;
        }
    }

    /** A configurator's rank as Logback reads it: its {@link ConfiguratorRank}, else {@link ConfiguratorRank#DEFAULT}. */
    private static int rank(Class<?> configurator) {
        ConfiguratorRank rank = configurator.getAnnotation(ConfiguratorRank.class);
        return rank == null ? ConfiguratorRank.DEFAULT : rank.value();
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return context;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return REQUESTED_API_VERSION;
    }
}
