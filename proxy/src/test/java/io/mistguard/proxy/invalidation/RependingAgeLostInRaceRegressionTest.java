package io.mistguard.proxy.invalidation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Regression (found by review): a name asked for again while its call was in flight became
 * {@code REPENDING} first and had the time of that request written after. When the drainer ended
 * the flight in between, it moved the slot back to waiting with the time of an earlier re-request,
 * or 0: {@code mistguard_invalidations_oldest_age_seconds} then read the process's uptime (the
 * {@code MistguardInvalidationsWaiting} alert fires past 60 s), and the state file put the name
 * first. The interleaving is made deterministic with a ticker that runs the drainer's step inside
 * the producer's clock reading, which came right after its compare-and-set; now the reading comes
 * before it, and whichever way the race goes the name waits with the re-request's age.
 */
class RependingAgeLostInRaceRegressionTest {

    private final AtomicReference<Runnable> duringNextReading = new AtomicReference<>();
    private long now = 1_000;
    private final PendingSet set = new PendingSet(10, () -> {
        Runnable step = duringNextReading.getAndSet(null);
        if (step != null) {
            step.run();
        }
        return now;
    });

    @Test
    void aFlightEndingWhileTheNameIsAskedForAgainKeepsTheReRequestsAge() {
        assertThat(set.offer("video+a")).isEqualTo(OfferOutcome.QUEUED);
        List<StreamSlot> flight = set.takeBatch(10);
        now = 50_000_000_000L; // 50 s later, the name is asked for again while its call is in flight
        duringNextReading.set(() -> set.delivered(flight)); // ... and the call succeeds right then

        assertThat(set.offer("video+a")).isIn(OfferOutcome.REQUEUED_AFTER_FLIGHT, OfferOutcome.QUEUED);

        assertThat(set.stateOf("video+a")).isEqualTo(StreamState.PENDING);
        assertThat(set.gauges().oldestAgeNanos()).as("the re-request has just arrived").isZero();
    }
}
