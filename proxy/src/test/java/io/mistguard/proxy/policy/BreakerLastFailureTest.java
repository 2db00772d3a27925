package io.mistguard.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.BreakerConfig;
import io.mistguard.proxy.time.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: the status page shows why the breaker last counted a failure and how long ago, on the
 * breaker's own clock; an operator's forced-closed override hides failures from the breaker, not
 * from the operator.
 */
class BreakerLastFailureTest {

    private final ManualClock clock = new ManualClock();
    private final Breaker breaker = new Breaker("mist", BreakerConfig.countWindow(50, 4, Duration.ofSeconds(5), 1),
                                                clock);

    @Test
    void noneUntilACallFails() {
        breaker.tryAcquire().success();

        assertThat(breaker.snapshot().lastFailure()).isNull();
        assertThat(breaker.snapshot().sinceLastFailure()).isNull();
    }

    @Test
    void theLatestFailureWinsAndAgesOnTheBreakersClock() {
        breaker.tryAcquire().failure("connect-refused");
        clock.advance(Duration.ofSeconds(2));
        breaker.tryAcquire().failure("timeout");
        clock.advance(Duration.ofMillis(1500));

        BreakerSnapshot snapshot = breaker.snapshot();
        assertThat(snapshot.lastFailure()).isEqualTo("timeout");
        assertThat(snapshot.sinceLastFailure()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void aPermitSettledOnceKeepsItsFirstOutcome() {
        Breaker.Permit permit = breaker.tryAcquire();
        permit.success();
        permit.failure("timeout"); // already settled: neither counted nor remembered

        assertThat(breaker.snapshot().lastFailure()).isNull();
        assertThat(breaker.snapshot().calls()).isEqualTo(1);
    }

    @Test
    void failuresUnderAForcedCloseAreShownThoughNotCounted() {
        breaker.force(false, Duration.ofMinutes(1));
        breaker.tryAcquire().failure("upstream-reset");

        BreakerSnapshot snapshot = breaker.snapshot();
        assertThat(snapshot.calls()).as("not recorded by Failsafe").isZero();
        assertThat(snapshot.lastFailure()).isEqualTo("upstream-reset");
        assertThat(snapshot.sinceLastFailure()).isEqualTo(Duration.ZERO);
    }

    @Test
    void aFailureWithoutAReasonSaysSo() {
        breaker.tryAcquire().failure();

        assertThat(breaker.snapshot().lastFailure()).isEqualTo("unspecified");
    }
}
