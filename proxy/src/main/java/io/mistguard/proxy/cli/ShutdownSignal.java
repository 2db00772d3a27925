package io.mistguard.proxy.cli;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns SIGTERM and SIGINT into a graceful stop: the main thread waits on {@link #await()}, drains
 * and then exits 0 — instead of the JVM's default of running hooks and exiting 143. Asked to, SIGHUP
 * too: for a demo without a config file, whose SIGHUP means its terminal went away (there is nothing
 * to reload); everywhere else SIGHUP belongs to {@link ReloadTriggers}.
 *
 * <p>A signal ignored when the process started stays ignored: the JVM installs no handler for it. For
 * SIGTERM, how Kubernetes and Docker stop a container, that is logged at WARN, naming SIGINT as the
 * way out unless SIGINT is ignored too (then only SIGKILL stops it). An ignored SIGINT alone is what
 * a non-interactive shell gives a background job, and is not logged.
 */
final class ShutdownSignal {

    private static final Logger log = LoggerFactory.getLogger(ShutdownSignal.class);

    private final CountDownLatch received = new CountDownLatch(1);
    private volatile String name;

    /**
     * @param hangUpStops whether SIGHUP stops too (see the class comment)
     * @param held the signals held since {@code main} began (may be null): those this takes over are
     *        taken from it, and one of them that already came is {@linkplain #received() received} at once
     */
    static ShutdownSignal install(boolean hangUpStops, EarlySignals held) {
        ShutdownSignal signal = new ShutdownSignal();
        boolean termIgnored = install(signal, "TERM");
        boolean intIgnored = install(signal, "INT");
        if (hangUpStops && (held == null || !held.ignored(EarlySignals.Held.HUP))) {
            install(signal, "HUP"); // ignored under nohup, as nohup means
        }
        if (held != null) {
            for (EarlySignals.Held taken : hangUpStops ? EarlySignals.Held.values()
                    : new EarlySignals.Held[] {EarlySignals.Held.INT, EarlySignals.Held.TERM}) {
                held.taken(taken);
                if (held.seen(taken)) {
                    signal.receive(taken.name());
                }
            }
        }
        if (termIgnored && intIgnored) {
            log.warn("SIGTERM and SIGINT are both ignored by this process (they were ignored when it "
                     + "started): no signal but SIGKILL will stop mistguard, and none will drain it");
        } else if (termIgnored) {
            log.warn("SIGTERM is ignored by this process (it was ignored when it started): a SIGTERM "
                     + "will neither drain nor stop mistguard; stop it with SIGINT");
        }
        return signal;
    }

    /** Installs the handler for one signal; true when that signal was ignored at start (and stays so). */
    private static boolean install(ShutdownSignal signal, String name) {
        SignalHandler previous = Signal.handle(new Signal(name), s -> signal.receive(s.getName()));
        return previous == SignalHandler.SIG_IGN;
    }

    /**
     * A signal named {@code name} (without SIG) came; the first one is what {@link #await} returns.
     * A later one changes nothing — the drain goes on to its grace — and says so (found by review: it
     * was ignored without a word, and an operator could not tell it had arrived).
     */
    void receive(String name) { // package-private for tests
        if (received.getCount() > 0) {
            this.name = "SIG" + name;
            received.countDown();
        } else {
            log.warn("received SIG{} while already stopping on {}: the drain goes on to its grace; "
                     + "SIGKILL stops mistguard at once, undrained", name, this.name);
        }
    }

    /** Whether a signal came already (one held while mistguard started, say). */
    boolean received() {
        return received.getCount() == 0;
    }

    /** Blocks until a signal arrives; returns its name. */
    String await() throws InterruptedException {
        received.await();
        return name;
    }
}
