package io.mistguard.proxy.cli;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a graceful stop: the main thread waits on {@link #await()}, drains
 * and then exits 0 — instead of the JVM's default of running hooks and exiting 143.
 */
final class ShutdownSignal {

    private final CountDownLatch received = new CountDownLatch(1);
    private volatile String name;

    static ShutdownSignal install() {
        ShutdownSignal signal = new ShutdownSignal();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), s -> {
                signal.name = "SIG" + s.getName();
                signal.received.countDown();
            });
        }
        return signal;
    }

    /** Blocks until a signal arrives; returns its name. */
    String await() throws InterruptedException {
        received.await();
        return name;
    }
}
