package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@link EarlySignals} with real signals raised into this JVM. As in {@link ReloadTriggersTest}, a
 * signal is raised only once the hold's own handler is checked to be in place (the JVM's would stop
 * the test JVM), and the JVM's handlers are put back afterwards ({@link EarlySignals#release}).
 * Skipped for a signal this JVM started with ignored, where the JVM installs no handler at all.
 */
class EarlySignalsTest {

    private static final Duration WITHIN = Duration.ofSeconds(5);

    @Test
    void aHeldSignalIsRememberedAndReleaseReportsTheJvmsStatusForIt() throws Exception {
        int tried = 0;
        for (EarlySignals.Held held : EarlySignals.Held.values()) {
            SignalHandler jvmHandler = Signal.handle(held.signal, SignalHandler.SIG_DFL);
            Signal.handle(held.signal, jvmHandler);
            if (jvmHandler == SignalHandler.SIG_IGN) {
                continue; // ignored since this JVM started (a background job's SIGINT): the JVM installs none
            }
            tried++;
            EarlySignals hold = EarlySignals.begin();
            try {
                assertThat(hold.seen(held)).isFalse();
                raiseIntoHold(held.signal);
                awaitSeen(hold, held);
                assertThat(hold.release()).as("%s came while held", held).isEqualTo(held.exitStatus);
                assertThat(handlerClass(held.signal)).as("the JVM's handler is back")
                        .doesNotStartWith(EarlySignals.class.getName());
                assertThat(hold.release()).as("released once only").isZero();
            } finally {
                hold.release();
                Signal.handle(held.signal, jvmHandler);
            }
        }
        Assumptions.assumeTrue(tried > 0, "every signal ignored");
    }

    @Test
    void theStatusesAre128PlusTheSignalsNumber() {
        assertThat(EarlySignals.Held.HUP.exitStatus).isEqualTo(129);
        assertThat(EarlySignals.Held.INT.exitStatus).isEqualTo(130);
        assertThat(EarlySignals.Held.TERM.exitStatus).isEqualTo(143);
    }

    @Test
    void aSignalTakenOverIsNotReleasedAndKeepsTheOwnersHandler() {
        Signal hup = EarlySignals.Held.HUP.signal;
        SignalHandler jvmHandler = jvmHandler(hup);
        EarlySignals hold = EarlySignals.begin();
        try {
            SignalHandler owner = s -> { };
            Signal.handle(hup, owner);
            hold.taken(EarlySignals.Held.HUP);
            assertThat(hold.release()).isZero();
            assertThat(Signal.handle(hup, jvmHandler)).as("the owner's handler stays").isSameAs(owner);
        } finally {
            hold.release();
            Signal.handle(hup, jvmHandler);
        }
    }

    @Test
    void withoutASignalReleaseReportsNone() {
        EarlySignals hold = EarlySignals.begin();
        assertThat(hold.release()).isZero();
    }

    /** The JVM's handler of {@code signal}, left in place; skips the test when the signal is ignored. */
    private static SignalHandler jvmHandler(Signal signal) {
        SignalHandler jvmHandler = Signal.handle(signal, SignalHandler.SIG_DFL);
        Signal.handle(signal, jvmHandler);
        Assumptions.assumeFalse(jvmHandler == SignalHandler.SIG_IGN, "SIG" + signal.getName() + " not ignored");
        return jvmHandler;
    }

    private static String handlerClass(Signal signal) {
        SignalHandler current = Signal.handle(signal, SignalHandler.SIG_DFL);
        Signal.handle(signal, current);
        return current.getClass().getName();
    }

    private static void raiseIntoHold(Signal signal) {
        // Raise only into the hold (a lambda of its class): anything else may stop the JVM.
        assertThat(handlerClass(signal)).startsWith(EarlySignals.class.getName() + "$$Lambda");
        Signal.raise(signal);
    }

    private static void awaitSeen(EarlySignals hold, EarlySignals.Held held) throws InterruptedException {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (!hold.seen(held) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(hold.seen(held)).as("held").isTrue();
    }
}
