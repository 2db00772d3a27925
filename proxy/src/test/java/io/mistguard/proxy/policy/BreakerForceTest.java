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

    /**
     * Found by review: a reload that changed a breaker's settings built a fresh breaker, which dropped
     * the operator's hour-long force-open without a word and sent traffic to the sick Mist again.
     */
    @Test
    void aReloadThatChangesTheBreakersSettingsKeepsTheOperatorsOverrideRegression() {
        PolicyRegistry before = registry(BreakerConfig.countWindow(50, 2, Duration.ofSeconds(5), 1), null);
        before.breakerNamed("mist").force(true, Duration.ofHours(1));
        clock.advance(Duration.ofMinutes(10));

        PolicyRegistry after = registry(BreakerConfig.countWindow(50, 4, Duration.ofSeconds(3), 1), before);

        Breaker reloaded = after.breakerNamed("mist");
        assertThat(reloaded).isNotSameAs(before.breakerNamed("mist"));
        assertThat(reloaded.config().windowCalls()).isEqualTo(4);
        assertThat(reloaded.snapshot().forced()).isEqualTo("open");
        assertThat(reloaded.snapshot().forcedFor()).isEqualTo(Duration.ofMinutes(50));
        assertThat(reloaded.tryAcquire()).isNull();
        clock.advance(Duration.ofMinutes(50));
        assertThat(reloaded.tryAcquire()).as("expires when it would have").isNotNull();
    }

    /** The same class: a breaker Mist's failures opened stays open across a reload that changes its settings. */
    @Test
    void aReloadThatChangesTheBreakersSettingsKeepsItOpenFromTheSameMomentRegression() {
        Breaker old = new Breaker("mist", BreakerConfig.countWindow(50, 2, Duration.ofSeconds(5), 1), clock);
        old.tryAcquire().failure();
        assertThat(old.isRejecting()).isTrue();
        clock.advance(Duration.ofSeconds(1));

        Breaker fresh = new Breaker("mist", BreakerConfig.countWindow(50, 2, Duration.ofSeconds(3), 1), clock);
        fresh.takeOver(old);
        assertThat(fresh.isRejecting()).isTrue();
        assertThat(fresh.remainingOpen()).as("its new open_duration, from when it opened").isEqualTo(Duration.ofSeconds(2));
        clock.advance(Duration.ofSeconds(2));
        assertThat(fresh.tryAcquire()).as("then a trial").isNotNull();

        Breaker closed = new Breaker("mist", BreakerConfig.countWindow(50, 2, Duration.ofSeconds(5), 1), clock);
        Breaker next = new Breaker("mist", BreakerConfig.countWindow(50, 4, Duration.ofSeconds(5), 1), clock);
        next.takeOver(closed);
        assertThat(next.isRejecting()).isFalse();
        assertThat(next.snapshot().forced()).isEqualTo(BreakerSnapshot.NOT_FORCED);
    }

    private PolicyRegistry registry(BreakerConfig mist, PolicyRegistry previous) {
        io.mistguard.proxy.config.RouteConfig catchAll = new io.mistguard.proxy.config.RouteConfig("catch-all",
                io.mistguard.proxy.config.RouteMatch.ANY, io.mistguard.proxy.config.RouteKind.PASSTHROUGH,
                Duration.ofSeconds(1), Duration.ofSeconds(1), io.mistguard.proxy.config.RetryConfig.NONE, "mist", null,
                io.mistguard.proxy.config.RejectionConfig.DEFAULTS, null, io.mistguard.proxy.config.ReadCaching.NONE);
        return new PolicyRegistry(new io.mistguard.proxy.config.PolicyConfig(java.util.List.of(catchAll),
                java.util.Map.of("mist", mist), java.util.Map.of()), null, clock,
                new PolicyHooks(new Inflight(), r -> RouteObserver.NONE), previous);
    }
}
