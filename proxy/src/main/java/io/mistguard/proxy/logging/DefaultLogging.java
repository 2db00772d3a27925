package io.mistguard.proxy.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * mistguard's default logging, set up in code: mistguard's SLF4J provider ({@link DefaultLoggingProvider})
 * applies it directly. When Logback's own start-up runs instead (see that provider: an operator's
 * configurator service or status listener), it finds this through
 * {@code META-INF/services/ch.qos.logback.classic.spi.Configurator}, after any configurator ranked
 * higher ({@link #RANK}) and before it looks for XML.
 * Lines go to stdout at INFO and up ({@code io.netty} at WARN), as readable text or as one JSON object
 * per line (Logback's {@link JsonEncoder}); the access log ({@code mistguard.access}) goes through a
 * {@link BatchingAppender}, so an event loop never blocks on it.
 *
 * <p>Why code and not the {@code logback.xml} it replaced: Joran (XML parsing, its model and rule
 * store) was the dearest single part of start-up: about 130 ms of the main thread's CPU on one core
 * before the first line was logged, plus the JIT work it caused (async-profiler from JVM start). The same
 * configuration as XML ships as {@code deploy/logback.xml}, the starting point for an operator's own.
 *
 * <p>Stands aside, and lets Logback's own search run, when the operator chose a configuration:
 * {@code -Dlogback.configurationFile} naming a file, resource or URL, or a {@code logback-test.xml} or
 * {@code logback.xml} on the class path (the tests' {@code logback-test.xml} is one). The format is {@code MISTGUARD_LOG_FORMAT}
 * ({@code text} or {@code json}); any other value logs text, and the command line then refuses it with
 * a precise error. Thread-safety: called by Logback once, during its initialisation; {@link #apply}
 * is for the start-up thread, before anything is served.
 */
@ConfiguratorRank(DefaultLogging.RANK)
public final class DefaultLogging extends ContextAwareBase implements Configurator {

    /** Where Logback's start-up runs this among {@code Configurator} services (higher runs first). */
    public static final int RANK = ConfiguratorRank.CUSTOM_HIGH_PRIORITY;

    /** The system property that names an operator's own Logback file (Logback's own name for it). */
    public static final String FILE_PROPERTY = "logback.configurationFile";
    /** The environment variable that picks the format. */
    public static final String FORMAT_VARIABLE = "MISTGUARD_LOG_FORMAT";
    /** The logger of the access log, one line per request. */
    public static final String ACCESS_LOGGER = "mistguard.access";
    /** The text layout, with an ISO-8601 time and its offset. */
    public static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{20} - %msg%n";
    /** Access-log events that may wait to be written; more are dropped and counted. */
    static final int ACCESS_QUEUE_SIZE = 8192;
    /** How often the access log is written, in milliseconds. */
    static final long ACCESS_FLUSH_MILLIS = 50;
    /** Waiting access-log events that wake its writer before the next flush is due. */
    static final int ACCESS_WAKE_LINES = 256;

    /** Marks a context this class configured, so that a later format switch knows it may rebuild it. */
    private static final String MARK = DefaultLogging.class.getName();
    /** A warning for the operator that waits until the format is final. */
    private static final String PENDING_WARNING = MARK + ".pendingWarning";

    /**
     * Logback's entry point: the default configuration, unless the operator chose one. A
     * {@code logback.configurationFile} that names nothing Logback could read is not a choice: Logback
     * would fall back to its own DEBUG-level console setup, so the default is used, with a WARN saying so.
     */
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader loader = DefaultLogging.class.getClassLoader();
        if (operatorChose(System::getProperty, loader)) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context, System.getenv(FORMAT_VARIABLE));
        String named = System.getProperty(FILE_PROPERTY);
        if (named != null) {
            // Logged by logPendingWarning, once the config file's format is in force too: a JSON log
            // must not begin with a text line.
            context.putObject(PENDING_WARNING, "-D" + FILE_PROPERTY + "=" + named + " names nothing Logback can "
                    + "read (no such file or class-path resource); mistguard's default logging is in force");
        }
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * Logs, once, the warning {@link #configure} left for later (an operator's Logback file that names
     * nothing), in whatever format is now in force. Call after the format is final.
     */
    public static void logPendingWarning(LoggerContext context) {
        Object warning = context.getObject(PENDING_WARNING);
        if (warning != null) {
            context.removeObject(PENDING_WARNING);
            context.getLogger(DefaultLogging.class).warn(warning.toString());
        }
    }

    /**
     * Whether the operator named a Logback configuration: a {@code logback.configurationFile} property that
     * names something to read ({@link #found}), or a {@code logback-test.xml} or {@code logback.xml} resource
     * that {@code loader} finds (Logback's own search order).
     */
    static boolean operatorChose(UnaryOperator<String> systemProperty, ClassLoader loader) {
        String named = systemProperty.apply(FILE_PROPERTY);
        return named != null && found(named, loader)
                || loader.getResource("logback-test.xml") != null
                || loader.getResource("logback.xml") != null;
    }

    /**
     * Whether Logback would find the configuration {@code named}, as it looks: a URL (a {@code file:} URL
     * only if its file exists; others are taken as given), else a class-path resource, else a file.
     */
    static boolean found(String named, ClassLoader loader) {
        if (named.isBlank()) {
            return false; // and getResource("") finds a directory of the jar
        }
        URL url;
        try {
            url = new URL(named);
        } catch (MalformedURLException notAUrl) {
            return loader.getResource(named) != null || isFile(named);
        }
        if (!"file".equals(url.getProtocol())) {
            return true;
        }
        try {
            return Files.isRegularFile(Path.of(url.toURI()));
        } catch (URISyntaxException | IllegalArgumentException notAFile) {
            return isFile(url.getPath());
        }
    }

    private static boolean isFile(String path) {
        try {
            return Files.isRegularFile(Path.of(path));
        } catch (InvalidPathException notAPath) {
            return false;
        }
    }

    /** Whether {@code context} runs this default configuration (and not an operator's file). */
    public static boolean inForce(LoggerContext context) {
        return formatInForce(context) != null;
    }

    /** {@code "text"} or {@code "json"} when {@code context} runs this default configuration, else {@code null}. */
    public static String formatInForce(LoggerContext context) {
        return (String) context.getObject(MARK);
    }

    /**
     * Replaces whatever {@code context} had with the default configuration in {@code format}:
     * {@code "json"} for JSON lines, anything else (also {@code null}) for text.
     */
    public static void apply(LoggerContext context, String format) {
        boolean json = "json".equals(format == null ? null : format.trim());
        Object pendingWarning = context.getObject(PENDING_WARNING);
        context.reset();
        if (pendingWarning != null) {
            context.putObject(PENDING_WARNING, pendingWarning);
        }
        context.getStatusManager().add(new NopStatusListener());

        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName(json ? "json" : "text");
        console.setEncoder(encoder(context, json));
        console.start();

        BatchingAppender access = new BatchingAppender();
        access.setContext(context);
        access.setName(json ? "access-json" : "access-text");
        access.setQueueSize(ACCESS_QUEUE_SIZE);
        access.setFlushMillis(ACCESS_FLUSH_MILLIS);
        access.setWakeLines(ACCESS_WAKE_LINES);
        access.setEncoder(encoder(context, json));
        access.start();

        Logger accessLogger = context.getLogger(ACCESS_LOGGER);
        accessLogger.setLevel(Level.INFO);
        accessLogger.setAdditive(false);
        accessLogger.addAppender(access);
        context.getLogger("io.netty").setLevel(Level.WARN);
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
        context.putObject(MARK, json ? "json" : "text");
    }

    /** The text encoder: {@link #TEXT_PATTERN}'s bytes, made without a layout (but for stack traces). */
    private static Encoder<ILoggingEvent> textEncoder(LoggerContext context) {
        TextLineEncoder encoder = new TextLineEncoder();
        encoder.setContext(context);
        encoder.start();
        return encoder;
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext context, boolean json) {
        if (json) {
            JsonEncoder encoder = new JsonEncoder();
            encoder.setContext(context);
            encoder.setWithArguments(false);
            encoder.setWithFormattedMessage(true);
            encoder.setWithMessage(false);
            encoder.setWithMDC(false);
            encoder.setWithContext(false);
            encoder.start();
            return encoder;
        }
        return textEncoder(context);
    }
}
