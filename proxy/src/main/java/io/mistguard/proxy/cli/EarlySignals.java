package io.mistguard.proxy.cli;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Holds SIGHUP, SIGINT and SIGTERM from the first line of {@code main} until what owns each takes it
 * over: the graceful stop ({@link ShutdownSignal}) SIGTERM and SIGINT, and SIGHUP too for a demo
 * without a config file; the reload triggers ({@link ReloadTriggers#install}) SIGHUP otherwise. A
 * signal meanwhile is remembered, not acted on by the JVM's own handler, which ends the process at
 * once (status 128 + the signal's number). Before this hold began at the top of {@code main} that
 * happened for any of them in the first ~0.5 s of a start (the JVM, the command line and the config
 * file being read, measured on this project's 2-core VM): a config reloader's SIGHUP to a pod that had
 * just restarted ended it with 129, an early SIGTERM with 143 and no line in the log (found by review).
 * The JVM's own start-up, before {@code main}, stays exposed: nothing in Java runs there.
 *
 * <p>A process started with a signal ignored ({@code nohup}, a script's background job) keeps
 * ignoring it: the JVM installs no handler for an ignored signal, and neither does this hold.
 * Thread-safe.
 */
public final class EarlySignals {

    /** The signals held, with their numbers (Linux): a process ended by one exits with 128 + it. */
    enum Held {
        HUP(1), INT(2), TERM(15);

        final Signal signal;
        final int exitStatus;

        Held(int number) {
            this.signal = new Signal(name());
            this.exitStatus = 128 + number;
        }
    }

    private final Map<Held, AtomicBoolean> seen = new EnumMap<>(Held.class);
    private final Map<Held, AtomicBoolean> taken = new EnumMap<>(Held.class);
    private final Map<Held, SignalHandler> jvmHandlers = new EnumMap<>(Held.class);

    private EarlySignals() {
        for (Held held : Held.values()) {
            seen.put(held, new AtomicBoolean());
            taken.put(held, new AtomicBoolean());
        }
    }

    /** Begins holding the three signals; call it before anything that takes time. */
    public static EarlySignals begin() {
        EarlySignals hold = new EarlySignals();
        for (Held held : Held.values()) {
            AtomicBoolean came = hold.seen.get(held);
            // Under nohup the JVM keeps SIGHUP ignored, installs nothing and answers SIG_IGN: that stays so.
            hold.jvmHandlers.put(held, Signal.handle(held.signal, s -> came.set(true)));
        }
        return hold;
    }

    /** Whether {@code held} was ignored when the process started (and so stays ignored). */
    boolean ignored(Held held) {
        return jvmHandlers.get(held) == SignalHandler.SIG_IGN;
    }

    /** Whether {@code held} came since the hold began. */
    boolean seen(Held held) {
        return seen.get(held).get();
    }

    /** Marks {@code held} as taken over by its owner, who has installed its own handler. */
    void taken(Held held) {
        taken.get(held).set(true);
    }

    /**
     * Ends the hold of every signal no owner took over ({@code check-config}, {@code --help}, a refused
     * start): gives each back to the JVM's handler, and returns the exit status the JVM would have
     * ended the process with for one that came meanwhile (SIGTERM's 143 before SIGINT's 130 before
     * SIGHUP's 129), or 0 if none came. Idempotent per signal.
     */
    public int release() {
        int status = 0;
        for (Held held : Held.values()) {
            if (!taken.get(held).compareAndSet(false, true)) {
                continue;
            }
            if (!ignored(held)) {
                Signal.handle(held.signal, jvmHandlers.get(held));
            }
            if (seen(held)) {
                status = held.exitStatus; // the last of HUP, INT, TERM that came wins
            }
        }
        return status;
    }
}
