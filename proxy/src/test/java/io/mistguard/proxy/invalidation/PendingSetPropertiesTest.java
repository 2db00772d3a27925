package io.mistguard.proxy.invalidation;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.time.ManualClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties of the invalidation queue's state machine ({@link PendingSet}, issue #14), over random
 * interleavings of offers from callers and the single drainer's take / delivered / failed steps:
 * <ul>
 *   <li>no name is in flight twice: a batch never holds a name twice, nor one still in an
 *       unfinished call;
 *   <li>no accepted name is lost: every accepted offer is covered by a delivered call that was taken
 *       after it (what {@link OfferOutcome#accepted()} promises), once the drainer runs to the end;
 *   <li>the bound holds: never more distinct names than {@code maxHeld}.
 * </ul>
 */
class PendingSetPropertiesTest {

    @Property(tries = 500)
    void noAcceptedNameIsLostAndNoneIsInFlightTwice(@ForAll @Size(max = 300) List<@IntRange(max = 99) Integer> steps,
                                                    @ForAll @IntRange(min = 1, max = 6) int maxHeld) {
        PendingSet set = new PendingSet(maxHeld, new ManualClock());
        Map<String, Integer> lastAccepted = new HashMap<>();
        Map<String, Integer> deliveredTakenAt = new HashMap<>();
        List<StreamSlot> inFlight = null;
        int takenAt = -1;
        int step = 0;
        for (int v : steps) {
            step++;
            if (v < 60) {
                String name = "video+" + (v % 7);
                OfferOutcome outcome = set.offer(name);
                if (outcome.accepted()) {
                    lastAccepted.put(name, step);
                } else {
                    assertThat(outcome).isEqualTo(OfferOutcome.REJECTED_FULL);
                }
            } else if (v < 80 && inFlight == null) {
                inFlight = take(set, (v % 3) + 1);
                takenAt = step;
            } else if (v < 90 && inFlight != null) {
                set.delivered(inFlight);
                record(inFlight, takenAt, deliveredTakenAt);
                inFlight = null;
            } else if (inFlight != null) {
                set.failed(inFlight);
                inFlight = null;
            }
            assertThat(set.heldNames().size()).as("distinct names held").isLessThanOrEqualTo(maxHeld);
        }
        if (inFlight != null) {
            set.failed(inFlight);
        }
        // The drainer runs to the end: every held name is delivered, none is left.
        for (int rounds = 0; set.hasWaiting(); rounds++) {
            assertThat(rounds).as("the drainer finishes").isLessThan(100);
            step++;
            List<StreamSlot> batch = take(set, 3);
            set.delivered(batch);
            record(batch, step, deliveredTakenAt);
        }
        assertThat(set.heldNames()).isEmpty();
        lastAccepted.forEach((name, acceptedAt) -> assertThat(deliveredTakenAt.getOrDefault(name, -1))
                .as("a call for %s taken after its last accepted offer (step %d) was delivered", name, acceptedAt)
                .isGreaterThan(acceptedAt));
    }

    private static List<StreamSlot> take(PendingSet set, int max) {
        List<StreamSlot> batch = set.takeBatch(max);
        Set<String> names = new HashSet<>();
        for (StreamSlot slot : batch) {
            assertThat(names.add(slot.name)).as("%s twice in one call", slot.name).isTrue();
            assertThat(set.stateOf(slot.name)).isEqualTo(StreamState.IN_FLIGHT);
        }
        assertThat(batch.size()).isLessThanOrEqualTo(max);
        return new ArrayList<>(batch);
    }

    private static void record(List<StreamSlot> batch, int takenAt, Map<String, Integer> deliveredTakenAt) {
        for (StreamSlot slot : batch) {
            deliveredTakenAt.merge(slot.name, takenAt, Math::max);
        }
    }
}
