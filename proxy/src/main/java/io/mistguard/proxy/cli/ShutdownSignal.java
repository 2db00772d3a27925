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
     * @param hangUpStops whether SIGHUP stops too (see the class comment); it is then taken over from
     *        {@code held} (may be null), and a SIGHUP held since {@code main} began stops at once
     */
    static ShutdownSignal install(boolean hangUpStops, HangUpHold held) {
        ShutdownSignal signal = new ShutdownSignal();
        boolean termIgnored = install(signal, "TERM");
        boolean intIgnored = install(signal, "INT");
        if (hangUpStops && (held == null || !held.ignored())) {
            install(signal, "HUP"); // ignored under nohup, as nohup means
        }
        if (hangUpStops && held != null) {
            held.taken();
            if (held.seen()) {
                signal.receive("HUP");
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

    /** A signal named {@code name} (without SIG) came; the first one is what {@link #await} returns. */
    private void receive(String name) {
        if (received.getCount() > 0) {
            this.name = "SIG" + name;
            received.countDown();
        }
    }

    /** Blocks until a signal arrives; returns its name. */
    String await() throws InterruptedException {
        received.await();
        return name;
    }
}
