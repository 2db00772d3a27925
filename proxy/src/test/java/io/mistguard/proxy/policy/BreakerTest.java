package io.mistguard.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.BreakerConfig;
import io.mistguard.proxy.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Breaker transitions on a fake clock: a count window (no wall clock involved) and the permit discipline. */
class BreakerTest {

    private static final Duration OPEN = Duration.ofSeconds(2);

    private final ManualClock clock = new ManualClock();
    /** Opens when 50% of the last 4 calls failed; two trials while half-open. */
    private final Breaker breaker = new Breaker("mist", BreakerConfig.countWindow(50, 4, OPEN, 2), clock);

    @Test
    void opensAsSoonAsHalfOfTheLastFourCallsHaveFailed() {
        record(true, false, true);
        assertThat(breaker.snapshot().state()).as("1 failure of 4 needed 2").isEqualTo("closed");

        record(false);

        assertThat(breaker.snapshot().state()).isEqualTo("open");
        assertThat(breaker.tryAcquire()).as("fails fast while open").isNull();
        assertThat(breaker.remainingOpen()).isEqualTo(OPEN);
    }

    @Test
    void staysClosedBelowTheThreshold() {
        record(true, true, true, false, true, true, true, false, true, true);
        assertThat(breaker.snapshot().state()).isEqualTo("closed");
    }

    @Test
    void halfOpensAfterTheOpenDurationOnTheInjectedClockAndClosesWhenTrialsSucceed() {
        openIt();
        clock.advance(OPEN.minusMillis(1));
        assertThat(breaker.tryAcquire()).isNull();
        assertThat(breaker.remainingOpen()).isEqualTo(Duration.ofMillis(1));

        clock.advance(Duration.ofMillis(1));
        Breaker.Permit first = breaker.tryAcquire();
        Breaker.Permit second = breaker.tryAcquire();

        assertThat(breaker.snapshot().state()).isEqualTo("half_open");
        assertThat(first).isNotNull();
        assertThat(second).isNotNull();
        assertThat(breaker.tryAcquire()).as("trials are bounded (failsafe#391)").isNull();
        first.success();
        second.success();
        assertThat(breaker.snapshot().state()).isEqualTo("closed");
        assertThat(breaker.tryAcquire()).isNotNull();
    }

    @Test
    void aFailedTrialReopensForAnotherFullOpenDuration() {
        openIt();
        clock.advance(OPEN);
        Breaker.Permit trial = breaker.tryAcquire();
        clock.advance(Duration.ofMillis(300));

        trial.failure();

        assertThat(breaker.snapshot().state()).isEqualTo("open");
        assertThat(breaker.remainingOpen()).isEqualTo(OPEN);
        clock.advance(OPEN.minusMillis(1));
        assertThat(breaker.tryAcquire()).isNull();
    }

    /**
     * Regression: a trial ended by its caller's own deadline was recorded as a failure and re-opened
     * the breaker; with Envoy's deadline on every call and a slowish Mist it might never close.
     */
    @Test
    void anAbandonedTrialFreesItsSlotWithoutAVerdictAndTheNextCallerGetsTheTrial() {
        openIt();
        clock.advance(OPEN);
        Breaker.Permit trial = breaker.tryAcquire();
        assertThat(trial).isNotNull();
        breaker.tryAcquire(); // the second trial of two

        trial.abandon();

        assertThat(breaker.snapshot().trialsOut()).isEqualTo(1);
        assertThat(breaker.snapshot().state()).isEqualTo("half_open");
        Breaker.Permit next = breaker.tryAcquire();
        assertThat(next).as("the freed trial goes to the next caller").isNotNull();
        next.success();
    }

    @Test
    void anAbandonedClosedPermitIsNotRecorded() {
        record(true, true, true);
        breaker.tryAcquire().abandon();
        assertThat(breaker.snapshot().calls()).isEqualTo(3);
    }

    @Test
    void aPermitIsRecordedOnlyOnce() {
        Breaker.Permit permit = breaker.tryAcquire();
        permit.failure();
        permit.failure();
        permit.success();
        permit.abandon();
        assertThat(breaker.snapshot().calls()).isEqualTo(1);
        assertThat(breaker.snapshot().failureRate()).isEqualTo(100);
    }

    @Test
    void concurrentHalfOpenRacesHandOutNoMoreThanTheTrialBound() throws Exception {
        openIt();
        clock.advance(OPEN);
        List<Breaker.Permit> granted = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(started(() -> {
                for (int j = 0; j < 100; j++) {
                    Breaker.Permit p = breaker.tryAcquire();
                    if (p != null) {
                        granted.add(p);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(granted).hasSize(2);
    }

    @Test
    void nothingRemainsOpenOnceClosedOrHalfOpen() {
        assertThat(breaker.remainingOpen()).isEqualTo(Duration.ZERO);
        openIt();
        clock.advance(Duration.ofMillis(500));
        assertThat(breaker.remainingOpen()).isEqualTo(OPEN.minusMillis(500));
        assertThat(breaker.isRejecting()).isTrue();

        clock.advance(OPEN.minusMillis(500));
        assertThat(breaker.isRejecting()).as("open duration over: a trial may go").isFalse();
        Breaker.Permit trial = breaker.tryAcquire();
        assertThat(breaker.snapshot().state()).isEqualTo("half_open");
        assertThat(breaker.remainingOpen()).isEqualTo(Duration.ZERO);
        assertThat(breaker.isRejecting()).isFalse();
        trial.success();
    }

    @Test
    void anOverrideDecidesWhatRemainsOpen() {
        breaker.force(true, Duration.ofSeconds(30));
        clock.advance(Duration.ofSeconds(10));
        assertThat(breaker.remainingOpen()).isEqualTo(Duration.ofSeconds(20));

        clearOverrideAndOpen();
        breaker.force(false, Duration.ofSeconds(30));
        assertThat(breaker.remainingOpen()).isEqualTo(Duration.ZERO);
        assertThat(breaker.isRejecting()).isFalse();
    }

    @Test
    void aBreakerKnowsItsNameAndSettings() {
        assertThat(breaker.name()).isEqualTo("mist");
        assertThat(breaker.config()).isEqualTo(BreakerConfig.countWindow(50, 4, OPEN, 2));
    }

    /** Opens the breaker while an override may be in force (the override is cleared for it). */
    private void clearOverrideAndOpen() {
        breaker.clearForce();
        openIt();
    }

    private void openIt() {
        record(false, false);
        assertThat(breaker.snapshot().state()).isEqualTo("open");
    }

    private void record(boolean... successes) {
        for (boolean success : successes) {
            Breaker.Permit permit = breaker.tryAcquire();
            assertThat(permit).isNotNull();
            if (success) {
                permit.success();
            } else {
                permit.failure();
            }
        }
    }

    private static Thread started(Runnable work) {
        Thread thread = new Thread(work);
        thread.start();
        return thread;
    }
}
