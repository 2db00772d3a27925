package io.mistguard.proxy.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.LogbackServiceProvider;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.StatusUtil;
import ch.qos.logback.core.util.StatusPrinter;
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
 * directly; when the operator chose a Logback configuration of their own ({@link DefaultLogging}
 * stands aside), it runs Logback's {@link ContextInitializer} exactly as Logback's provider does, and
 * prints Logback's status on errors or warnings as it does.
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
            Util.report("Failed to configure the default logger context", e);
        }
        created.start();
        markers = new BasicMarkerFactory();
        mdc = adapter;
        context = created;
    }

    /** {@link DefaultLogging}, or Logback's own search when the operator chose a configuration. */
    static void configure(LoggerContext context) {
        DefaultLogging defaults = new DefaultLogging();
        defaults.setContext(context);
        if (defaults.configure(context) == ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY) {
            return;
        }
        try {
            new ContextInitializer(context).autoConfig(); // finds DefaultLogging again; it stands aside again
        } catch (JoranException e) {
            Util.report("Failed to auto configure default logger context", e);
        }
        if (!StatusUtil.contextHasStatusListener(context)) {
            StatusPrinter.printInCaseOfErrorsOrWarnings(context);
        }
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
