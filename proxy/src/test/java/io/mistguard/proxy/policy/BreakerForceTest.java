package io.mistguard.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.BreakerConfig;
import io.mistguard.proxy.time.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Operator overrides of a breaker: they win while they last and expire on the breaker's own clock. */
class BreakerForceTest {

    private final ManualClock clock = new ManualClock();
    private final Breaker breaker = new Breaker("mist", BreakerConfig.countWindow(50, 2, Duration.ofSeconds(5), 1),
                                                clock);

    @Test
    void forceOpenRefusesUntilItExpires() {
        breaker.force(true, Duration.ofSeconds(30));

        assertThat(breaker.tryAcquire()).isNull();
        assertThat(breaker.isRejecting()).isTrue();
        assertThat(breaker.snapshot().forced()).isEqualTo("open");
        assertThat(breaker.snapshot().stateNumber()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(29));
        assertThat(breaker.snapshot().forcedFor()).isEqualTo(Duration.ofSeconds(1));
        assertThat(breaker.tryAcquire()).isNull();

        clock.advance(Duration.ofSeconds(1));
        assertThat(breaker.tryAcquire()).isNotNull();
        assertThat(breaker.snapshot().forced()).isEqualTo(BreakerSnapshot.NOT_FORCED);
        assertThat(breaker.snapshot().stateNumber()).isZero();
    }

    @Test
    void forceCloseLetsCallsThroughWithoutRecordingThem() {
        breaker.force(false, Duration.ofSeconds(10));
        for (int i = 0; i < 4; i++) {
            breaker.tryAcquire().failure();
        }
        assertThat(breaker.snapshot().calls()).isZero();

        clock.advance(Duration.ofSeconds(10));
        breaker.tryAcquire().failure(); // 50% of a 2-call window: one failure opens it
        assertThat(breaker.tryAcquire()).isNull(); // recorded again once the override was over
    }

    @Test
    void clearEndsAnOverrideAtOnce() {
        breaker.force(true, Duration.ofMinutes(1));

        assertThat(breaker.clearForce()).isTrue();
        assertThat(breaker.tryAcquire()).isNotNull();
        assertThat(breaker.clearForce()).isFalse();
    }
}
