package io.mistguard.proxy.invalidation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Read-only views over the slots of a {@link PendingSet}: the held names for the state file and the
 * gauges for {@link InvalidationStats}.
 *
 * <p>Stateless; thread-safe. Each view is one weakly consistent pass over a concurrent collection,
 * so it may run on any thread while producers and the drainer carry on. Both are O(held names),
 * which the bound keeps small.
 */
final class PendingSnapshot {

    private PendingSnapshot() {
    }

    /**
     * Names waiting or in flight, oldest undelivered request first (the replay order); names with the
     * same ticker reading (a replay runs within one on a coarse clock) in the order they were queued,
     * not by name.
     */
    static List<String> heldNames(Iterable<StreamSlot> slots) {
        List<StreamSlot> held = new ArrayList<>();
        for (StreamSlot slot : slots) {
            if (slot.state().held()) {
                held.add(slot);
            }
        }
        held.sort(Comparator.comparingLong(StreamSlot::since).thenComparingLong(slot -> slot.order));
        return held.stream().map(slot -> slot.name).toList();
    }

    /** Counts waiting and in-flight names and finds the oldest undelivered request. */
    static Gauges gauges(Iterable<StreamSlot> slots, long now) {
        int depth = 0;
        int inFlight = 0;
        long oldestAge = 0;
        for (StreamSlot slot : slots) {
            StreamState state = slot.state();
            if (!state.held()) {
                continue;
            }
            // A re-requested name in flight is both: in this call and waiting for the next.
            depth += state == StreamState.IN_FLIGHT ? 0 : 1;
            inFlight += state == StreamState.PENDING ? 0 : 1;
            oldestAge = Math.max(oldestAge, now - slot.since());
        }
        return new Gauges(depth, inFlight, oldestAge);
    }

    /** Gauges read in one pass; {@code oldestAgeNanos} is 0 when nothing is held. */
    record Gauges(int depth, int inFlight, long oldestAgeNanos) {
    }
}
