package io.mistguard.proxy.soak;

import java.util.ArrayList;
import java.util.List;

/**
 * Waits past budget + epsilon, kept for judgement at the end of the soak, when the stalls of every
 * JVM involved are known: mistguard's are in its log, which the soak reads only after it stopped.
 * A late wait is a violation unless what the machine demonstrably took from it (a JVM not run, not
 * for its own GC; an event loop waiting for a core) makes up the difference. Keeps at most {@value #KEEP}; beyond that each one is
 * judged as it comes, without stall credit. Thread-safe.
 */
final class LateAnswers {

    private static final int KEEP = 10_000;

    /** One late wait: when, how long it was allowed, and what to say if it stays a violation. */
    record Late(long started, long ended, long allowedNanos, String route, String detail, String chaos, String caller) {
    }

    private final List<Late> late = new ArrayList<>();
    /** The late waits the machine's share made up for, described, at most {@value #SHOWN}. */
    private final List<String> credited = new ArrayList<>();
    private static final int SHOWN = 20;

    /** The first late waits that the machine's share made up for, described; after {@link #judge}. */
    synchronized List<String> credited() {
        return List.copyOf(credited);
    }

    /** Keeps {@code l}; false when full, and the caller must judge it now. */
    synchronized boolean add(Late l) {
        if (late.size() == KEEP) {
            return false;
        }
        late.add(l);
        return true;
    }

    /**
     * Judges every late wait. The credit is what the machine demonstrably took from the two sides of
     * the exchange while it lasted: on the caller's side the larger of its JVM's stalls (not its GC)
     * and its own thread's wait for a core; on mistguard's the larger of its JVM's stalls (not its GC)
     * and the longest any of its event loops waited for a core.
     */
    void judge(StallLog soak, RunQueueWatch callers, StallLog mistguard, List<RunQueueWatch> runQueues,
               Invariants invariants, Tally tally) {
        List<Late> all;
        synchronized (this) {
            all = List.copyOf(late);
        }
        for (Late l : all) {
            long loops = 0;
            for (RunQueueWatch w : runQueues) {
                loops += w.waitedWithin(null, l.started(), l.ended());
            }
            long caller = Math.max(soak.excusableWithin(l.started(), l.ended()),
                    callers.waitedWithin(l.caller(), l.started(), l.ended()));
            long credit = caller + Math.max(mistguard.excusableWithin(l.started(), l.ended()), loops);
            long waited = l.ended() - l.started();
            boolean holds = waited <= l.allowedNanos() + credit;
            if (holds) {
                tally.add("late-within-measured-stalls/" + l.route());
            }
            String why = l.detail() + String.format(" (the machine took %d ms of it: %d ms from the caller, %d ms "
                    + "from mistguard's side)", credit / 1_000_000, caller / 1_000_000, (credit - caller) / 1_000_000);
            if (holds) {
                synchronized (this) {
                    if (credited.size() < SHOWN) {
                        credited.add(why + " (chaos: " + l.chaos() + ")");
                    }
                }
            }
            invariants.checkAt(Invariants.BUDGET, holds, l.started(), l.chaos(), () -> why);
        }
    }
}
