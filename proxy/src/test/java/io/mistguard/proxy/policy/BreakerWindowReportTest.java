package io.mistguard.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.BreakerConfig;
import io.mistguard.proxy.time.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What a breaker with a time window reports ({@link Breaker#snapshot()}, behind {@code /admin/breakers},
 * {@code mistguard_breaker_failure_rate} and the status page) as time passes without calls.
 */
class BreakerWindowReportTest {

    private static final Duration WINDOW = Duration.ofSeconds(2);
    private static final Duration OPEN = Duration.ofSeconds(1);

    private final ManualClock clock = new ManualClock();

    /**
     * Regression: Failsafe slides its time window only when a result is recorded, so a breaker that
     * saw three failures and then no call reported 100% of 3 calls for ever ({@code failure_rate}
     * and the gauge stuck at 100 minutes later). The report now slides with the clock.
     */
    @Test
    void aQuietBreakersFailureRateDecaysWithItsWindowRegression() {
        Breaker breaker = new Breaker("mist", new BreakerConfig(50, 0, WINDOW, 100, OPEN, 1), clock);
        fail(breaker, 3);
        assertThat(breaker.snapshot().failureRate()).isEqualTo(100);
        assertThat(breaker.snapshot().calls()).isEqualTo(3);

        clock.advance(WINDOW);

        assertThat(breaker.snapshot().failureRate()).as("a whole window without a call").isZero();
        assertThat(breaker.snapshot().calls()).isZero();
        assertThat(breaker.snapshot().state()).isEqualTo("closed");
    }

    @Test
    void callsLeaveTheReportAsTheyLeaveTheWindow() {
        Breaker breaker = new Breaker("mist", new BreakerConfig(50, 0, WINDOW, 100, OPEN, 1), clock);
        fail(breaker, 1);
        clock.advance(Duration.ofSeconds(1));
        breaker.tryAcquire().success();
        clock.advance(Duration.ofMillis(500));
        assertThat(breaker.snapshot().calls()).isEqualTo(2);
        assertThat(breaker.snapshot().failureRate()).isEqualTo(50);

        clock.advance(Duration.ofMillis(700)); // 2.2 s after the failure, 1.2 s after the success

        assertThat(breaker.snapshot().calls()).isEqualTo(1);
        assertThat(breaker.snapshot().failureRate()).isZero();
    }

    /** Open: the failures that opened it, while they are in the window; closed again: counted afresh. */
    @Test
    void theReportFollowsTheBreakerThroughOpenHalfOpenAndClosed() {
        Breaker breaker = new Breaker("mist", new BreakerConfig(50, 0, WINDOW, 2, OPEN, 1), clock);
        fail(breaker, 2);
        assertThat(breaker.snapshot().state()).isEqualTo("open");
        assertThat(breaker.snapshot().failureRate()).isEqualTo(100);
        assertThat(breaker.snapshot().calls()).isEqualTo(2);

        clock.advance(OPEN);
        Breaker.Permit trial = breaker.tryAcquire();
        assertThat(breaker.snapshot().state()).isEqualTo("half_open");
        trial.success();

        assertThat(breaker.snapshot().state()).isEqualTo("closed");
        assertThat(breaker.snapshot().calls()).as("the trial that closed it, and not the failures before")
                                              .isEqualTo(1);
        assertThat(breaker.snapshot().failureRate()).isZero();
    }

    /** A count window is the last N calls, by design: it does not age. */
    @Test
    void aCountWindowKeepsItsLastCalls() {
        Breaker breaker = new Breaker("mist", BreakerConfig.countWindow(50, 10, OPEN, 1), clock);
        fail(breaker, 1);
        breaker.tryAcquire().success();
        clock.advance(Duration.ofMinutes(5));
        assertThat(breaker.snapshot().calls()).isEqualTo(2);
        assertThat(breaker.snapshot().failureRate()).isEqualTo(50);
    }

    private static void fail(Breaker breaker, int times) {
        for (int i = 0; i < times; i++) {
            breaker.tryAcquire().failure("timeout");
        }
    }
}
