package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@link HangUpHold} with a real SIGHUP raised into this JVM. As in {@link ReloadTriggersTest}, a
 * SIGHUP is raised only once the hold's own handler is checked to be in place (the JVM's would stop
 * the test JVM), and the JVM's handler is put back afterwards. Skipped under {@code nohup}, where
 * the JVM installs no SIGHUP handler at all.
 */
class HangUpHoldTest {

    private static final Signal HUP = new Signal("HUP");
    private static final Duration WITHIN = Duration.ofSeconds(5);

    @Test
    void aHeldSighupIsRememberedAndReportedWhenNobodyTookItOver() throws Exception {
        SignalHandler jvmHandler = jvmHandler();
        try {
            HangUpHold hold = HangUpHold.begin();
            assertThat(hold.seen()).isFalse();
            raiseIntoHold();
            awaitSeen(hold);
            assertThat(hold.release()).as("a SIGHUP came while held").isTrue();
            assertThat(currentHandlerClass()).as("the JVM's handler is back")
                    .doesNotStartWith(HangUpHold.class.getName());
            assertThat(hold.release()).as("released once only").isFalse();
        } finally {
            Signal.handle(HUP, jvmHandler);
        }
    }

    @Test
    void aHoldTakenOverIsNotReleasedAndLeavesTheOwnersHandler() {
        SignalHandler jvmHandler = jvmHandler();
        try {
            HangUpHold hold = HangUpHold.begin();
            SignalHandler owner = s -> { };
            Signal.handle(HUP, owner);
            hold.taken();
            assertThat(hold.release()).isFalse();
            assertThat(Signal.handle(HUP, jvmHandler)).as("the owner's handler stays").isSameAs(owner);
        } finally {
            Signal.handle(HUP, jvmHandler);
        }
    }

    @Test
    void withoutASighupReleaseReportsNone() {
        SignalHandler jvmHandler = jvmHandler();
        try {
            assertThat(HangUpHold.begin().release()).isFalse();
        } finally {
            Signal.handle(HUP, jvmHandler);
        }
    }

    /** The JVM's SIGHUP handler, left in place; skips the test under nohup. */
    private static SignalHandler jvmHandler() {
        SignalHandler jvmHandler = Signal.handle(HUP, SignalHandler.SIG_DFL);
        Signal.handle(HUP, jvmHandler);
        Assumptions.assumeFalse(jvmHandler == SignalHandler.SIG_IGN, "not under nohup");
        return jvmHandler;
    }

    private static String currentHandlerClass() {
        SignalHandler current = Signal.handle(HUP, SignalHandler.SIG_DFL);
        Signal.handle(HUP, current);
        return current.getClass().getName();
    }

    private static void raiseIntoHold() {
        // Raise only into the hold (a lambda of its class): anything else may stop the JVM.
        assertThat(currentHandlerClass()).startsWith(HangUpHold.class.getName() + "$$Lambda");
        Signal.raise(HUP);
    }

    private static void awaitSeen(HangUpHold hold) throws InterruptedException {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (!hold.seen() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(hold.seen()).as("held").isTrue();
    }
}
