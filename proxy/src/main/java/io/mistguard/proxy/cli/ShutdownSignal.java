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

    /** @param hangUpStops whether SIGHUP stops too (see the class comment) */
    static ShutdownSignal install(boolean hangUpStops) {
        ShutdownSignal signal = new ShutdownSignal();
        boolean termIgnored = install(signal, "TERM");
        boolean intIgnored = install(signal, "INT");
        if (hangUpStops) {
            install(signal, "HUP"); // ignored under nohup, as nohup means
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
        SignalHandler previous = Signal.handle(new Signal(name), s -> {
            signal.name = "SIG" + s.getName();
            signal.received.countDown();
        });
        return previous == SignalHandler.SIG_IGN;
    }

    /** Blocks until a signal arrives; returns its name. */
    String await() throws InterruptedException {
        received.await();
        return name;
    }
}
