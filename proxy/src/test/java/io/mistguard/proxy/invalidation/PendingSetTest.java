package io.mistguard.proxy.invalidation;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.time.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PendingSetTest {

    private final ManualClock clock = new ManualClock();
    private final PendingSet set = new PendingSet(3, clock);
    private List<StreamSlot> flight = List.of();

    enum Action { OFFER, TAKE, DELIVERED, FAILED }

    @ParameterizedTest(name = "{0} --{1}--> {3} ({2})")
    @CsvSource({
            // from,      action,    offer outcome,          to
            "IDLE,        OFFER,     QUEUED,                 PENDING",
            "PENDING,     OFFER,     COALESCED,              PENDING",
            "IN_FLIGHT,   OFFER,     REQUEUED_AFTER_FLIGHT,  REPENDING",
            "REPENDING,   OFFER,     COALESCED,              REPENDING",
            "PENDING,     TAKE,      ,                       IN_FLIGHT",
            "IN_FLIGHT,   DELIVERED, ,                       IDLE",
            "REPENDING,   DELIVERED, ,                       PENDING",
            "IN_FLIGHT,   FAILED,    ,                       PENDING",
            "REPENDING,   FAILED,    ,                       PENDING",
    })
    void stateMachine(StreamState from, Action action, OfferOutcome outcome, StreamState to) {
        bringTo("video+a", from);

        switch (action) {
            case OFFER -> assertThat(set.offer("video+a")).isEqualTo(outcome);
            case TAKE -> flight = set.takeBatch(10);
            case DELIVERED -> set.delivered(flight);
            case FAILED -> set.failed(flight);
        }

        assertThat(set.stateOf("video+a")).isEqualTo(to);
        assertThat(set.heldNames()).hasSize(to.held() ? 1 : 0);
    }

    @Test
    void newNamesBeyondTheBoundAreRejectedButHeldNamesStillCoalesce() {
        assertThat(set.offer("a")).isEqualTo(OfferOutcome.QUEUED);
        assertThat(set.offer("b")).isEqualTo(OfferOutcome.QUEUED);
        assertThat(set.offer("c")).isEqualTo(OfferOutcome.QUEUED);

        assertThat(set.offer("d")).isEqualTo(OfferOutcome.REJECTED_FULL);
        assertThat(set.offer("a")).isEqualTo(OfferOutcome.COALESCED);
        flight = set.takeBatch(1);
        assertThat(set.offer("a")).as("in flight still counts as held").isEqualTo(OfferOutcome.REQUEUED_AFTER_FLIGHT);
        assertThat(set.offer("d")).isEqualTo(OfferOutcome.REJECTED_FULL);

        set.delivered(flight); // "a" was re-requested, so it is still held
        assertThat(set.offer("d")).isEqualTo(OfferOutcome.REJECTED_FULL);
        set.delivered(set.takeBatch(3));
        assertThat(set.offer("d")).isEqualTo(OfferOutcome.QUEUED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "video+a\nvideo+b", "tab\there", "nul\u0000"})
    void namesTheStateFileCannotHoldAreInvalid(String name) {
        assertThat(set.offer(name)).isEqualTo(OfferOutcome.REJECTED_INVALID);
        assertThat(set.offer(null)).isEqualTo(OfferOutcome.REJECTED_INVALID);
        assertThat(set.offer("x".repeat(StreamNames.MAX_LENGTH + 1))).isEqualTo(OfferOutcome.REJECTED_INVALID);
    }

    @Test
    void batchesTakeFailedNamesFirstInTheirOrder() {
        List.of("a", "b", "c").forEach(set::offer);
        List<StreamSlot> first = set.takeBatch(2);
        assertThat(names(first)).containsExactly("a", "b");

        set.failed(first);

        assertThat(set.hasWaiting()).isTrue();
        assertThat(names(set.takeBatch(2))).containsExactly("a", "b");
        assertThat(names(set.takeBatch(2))).containsExactly("c");
        assertThat(set.takeBatch(2)).isEmpty();
        assertThat(set.hasWaiting()).isFalse();
    }

    @Test
    void closedSetRefusesOffers() {
        set.offer("a");
        set.close();
        assertThat(set.offer("b")).isEqualTo(OfferOutcome.REJECTED_SHUTDOWN);
        assertThat(set.offer("a")).isEqualTo(OfferOutcome.REJECTED_SHUTDOWN);
        assertThat(set.heldNames()).containsExactly("a");
    }

    @Test
    void gaugesCountWaitingAndInFlightAndTheOldestUndeliveredRequest() {
        set.offer("a");
        clock.advance(Duration.ofSeconds(2));
        set.offer("b");
        flight = set.takeBatch(1); // a
        clock.advance(Duration.ofSeconds(1));
        set.offer("a"); // re-requested during its flight

        PendingSnapshot.Gauges gauges = set.gauges();
        assertThat(gauges.depth()).isEqualTo(2); // b waiting, a re-pending
        assertThat(gauges.inFlight()).isEqualTo(1);
        assertThat(gauges.oldestAgeNanos()).isEqualTo(Duration.ofSeconds(3).toNanos());

        set.delivered(flight); // the first request for a is done; the re-request is 0 s old
        assertThat(set.gauges().oldestAgeNanos()).isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(set.heldNames()).containsExactly("b", "a");
    }

    @Test
    void changeCountMovesOnlyWhenTheHeldSetChanges() {
        set.offer("a");
        long afterQueue = set.changeCount();
        set.offer("a");
        flight = set.takeBatch(1);
        set.offer("a");
        set.failed(flight);
        assertThat(set.changeCount()).isEqualTo(afterQueue);
        set.delivered(set.takeBatch(1));
        assertThat(set.changeCount()).isGreaterThan(afterQueue);
    }

    private void bringTo(String name, StreamState state) {
        if (state == StreamState.IDLE) {
            return;
        }
        set.offer(name);
        if (state == StreamState.PENDING) {
            return;
        }
        flight = set.takeBatch(10);
        if (state == StreamState.REPENDING) {
            set.offer(name);
        }
    }

    private static List<String> names(List<StreamSlot> slots) {
        return slots.stream().map(slot -> slot.name).toList();
    }
}
