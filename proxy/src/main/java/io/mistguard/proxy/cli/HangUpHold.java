package io.mistguard.proxy.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Holds SIGHUP from the first line of {@code main} until what owns it takes it over: the reload
 * triggers ({@link ReloadTriggers#install}) or, for a demo without a config file, the graceful stop
 * ({@link ShutdownSignal}). A SIGHUP meanwhile is remembered, not fatal: the JVM's own handler would
 * end the process at once with status 129, and before this hold began at the top of {@code main} it
 * did so for any SIGHUP in the first ~0.5 s (the JVM, the command line and the config file being
 * read, measured on this project's 2-core VM), e.g. a config reloader's signal to a pod that had
 * just restarted. The JVM's own start-up, before {@code main}, stays exposed: nothing in Java runs there.
 *
 * <p>A process started with SIGHUP ignored ({@code nohup}) keeps ignoring it: the JVM installs no
 * handler for an ignored SIGHUP, and neither does this hold. Thread-safe.
 */
public final class HangUpHold {

    /** The exit status of a process ended by SIGHUP's default action: 128 + SIGHUP's number, 1. */
    public static final int HANG_UP_STATUS = 129;

    private static final Signal HUP = new Signal("HUP");

    private final AtomicBoolean seen;
    private final AtomicBoolean taken = new AtomicBoolean();
    private final SignalHandler jvmHandler;

    private HangUpHold(AtomicBoolean seen, SignalHandler jvmHandler) {
        this.seen = seen;
        this.jvmHandler = jvmHandler;
    }

    /** Begins holding SIGHUP; call it before anything that takes time. */
    public static HangUpHold begin() {
        AtomicBoolean seen = new AtomicBoolean();
        // Under nohup the JVM keeps SIGHUP ignored, installs nothing and answers SIG_IGN: that stays so.
        SignalHandler jvmHandler = Signal.handle(HUP, s -> seen.set(true));
        return new HangUpHold(seen, jvmHandler);
    }

    /** Whether SIGHUP was ignored when the process started (and so stays ignored). */
    boolean ignored() {
        return jvmHandler == SignalHandler.SIG_IGN;
    }

    /** Whether a SIGHUP came since the hold began. */
    boolean seen() {
        return seen.get();
    }

    /** Marks SIGHUP as taken over by its owner, who has installed its own handler. */
    void taken() {
        taken.set(true);
    }

    /**
     * Ends the hold for a command that did not take SIGHUP over ({@code check-config}, {@code --help},
     * a refused start): gives SIGHUP back to the JVM's handler, and says whether one came meanwhile,
     * which the caller answers as the JVM would have, with {@link #HANG_UP_STATUS}.
     * Does nothing, and returns false, once the owner has taken SIGHUP over.
     */
    public boolean release() {
        if (!taken.compareAndSet(false, true)) {
            return false;
        }
        if (!ignored()) {
            Signal.handle(HUP, jvmHandler);
        }
        return seen.get();
    }
}
