package io.mistguard.proxy.soak;

import io.mistguard.sim.record.Recording;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stream names mistguard accepted for invalidation ({@code Mistguard-Decision: queued}), each
 * with the latest time a caller sent an accepted request for it, on this JVM's
 * {@link System#nanoTime()} clock, which the in-process sim-mist also stamps executions with. A
 * name is delivered when Mist executed {@code invalidate_sessions} for it at or after that time; the
 * send time (not the answer's arrival) is used because mistguard may deliver before its answer
 * reaches the caller. A name accepted again later is judged by its latest acceptance only, so the
 * loss of an earlier one is hidden when the name comes back and is delivered then; the names
 * {@link Traffic#INVALIDATE} sends only once ({@link Traffic#ONCE_PREFIX}) are what catches a lost
 * acceptance, the restart's among them. Thread-safe.
 */
final class InvalidationLedger {

    private final Map<String, Long> lastAccepted = new ConcurrentHashMap<>();
    private final AtomicLong accepts = new AtomicLong();

    void accepted(Iterable<String> names, long sentNanos) {
        for (String name : names) {
            lastAccepted.merge(name, sentNanos, Math::max);
            accepts.incrementAndGet();
        }
    }

    /** Every accepted name with the send time of its latest accepted request, by name. */
    Map<String, Long> latest() {
        return new TreeMap<>(lastAccepted);
    }

    /** Names accepted, counting each request's names (so a name accepted twice counts twice). */
    long accepts() {
        return accepts.get();
    }

    /**
     * Checks that Mist executed {@code invalidate_sessions} for every accepted name at or after it was
     * last sent, waiting up to {@code wait} for the queue to finish; one check per name.
     */
    void checkDelivered(Recording mist, Invariants invariants, long startNanos, Duration wait)
            throws InterruptedException {
        Map<String, Long> accepted = latest();
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline && !undelivered(mist, accepted).isEmpty()) {
            Thread.sleep(200);
        }
        List<String> missing = undelivered(mist, accepted);
        for (Map.Entry<String, Long> a : accepted.entrySet()) {
            invariants.check(Invariants.DELIVERED, !missing.contains(a.getKey()),
                    () -> a.getKey() + " accepted at " + String.format("%.1fs", (a.getValue() - startNanos) / 1e9)
                            + " never reached Mist after that");
        }
    }

    private static List<String> undelivered(Recording mist, Map<String, Long> accepted) {
        List<String> out = new ArrayList<>();
        accepted.forEach((name, sent) -> {
            if (mist.lastExecutedNanos("invalidate_sessions", name) < sent) {
                out.add(name);
            }
        });
        return out;
    }
}
