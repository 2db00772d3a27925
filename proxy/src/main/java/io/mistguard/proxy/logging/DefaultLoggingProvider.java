package io.mistguard.proxy.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.LogbackServiceProvider;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.StatusUtil;
import ch.qos.logback.core.util.StatusPrinter;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
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
 *   <li>a {@code Configurator} service of their own, of any rank: Logback's start-up then makes
 *       every service and runs them in its rank order, {@link DefaultLogging} among them at
 *       {@link DefaultLogging#RANK}, and reports one it cannot make, as it always did;
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

    /** Where {@code ServiceLoader} (and so Logback) finds {@code Configurator} services. */
    static final String CONFIGURATOR_SERVICES = "META-INF/services/" + Configurator.class.getName();

    /**
     * Whether the operator asked for Logback's own start-up without naming a Logback file: a status
     * listener ({@code logback.statusListenerClass} in {@code systemProperty}), or a {@code Configurator}
     * service entry, other than {@link DefaultLogging}'s, in a services file that {@code loader} finds.
     * The entries are read as text, none is loaded: making them, in rank order, and reporting one that
     * cannot be made are Logback's start-up's. A services file that cannot be read counts as asked, so
     * that Logback's start-up reads it and reports what it finds.
     */
    static boolean logbacksStartUpAsked(UnaryOperator<String> systemProperty, ClassLoader loader) {
        if (systemProperty.apply(CoreConstants.STATUS_LISTENER_CLASS_KEY) != null) {
            return true;
        }
        try {
            Enumeration<URL> files = loader.getResources(CONFIGURATOR_SERVICES);
            while (files.hasMoreElements()) {
                if (listsAnotherConfigurator(files.nextElement())) {
                    return true;
                }
            }
            return false;
        } catch (IOException unreadable) {
            return true;
        }
    }

    /** Whether a services file names a class other than {@link DefaultLogging} ({@code #} starts a comment). */
    private static boolean listsAnotherConfigurator(URL servicesFile) throws IOException {
        try (InputStream in = servicesFile.openStream()) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                int comment = line.indexOf('#');
                String name = (comment < 0 ? line : line.substring(0, comment)).strip();
                if (!name.isEmpty() && !name.equals(DefaultLogging.class.getName())) {
                    return true;
                }
            }
        }
        return false;
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
