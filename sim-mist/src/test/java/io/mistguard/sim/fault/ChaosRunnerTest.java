package io.mistguard.sim.fault;

import static io.mistguard.sim.MistReplies.assertOk;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.RawHttp;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.junit.SimMistExtension;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Chaos mode over a running sim-mist: episodes add their rule after a test's own and remove it when
 * they end, pause and close leave no rule behind, and every request a fault hit is counted.
 */
class ChaosRunnerTest {

    @RegisterExtension
    static SimMistExtension mist = SimMistExtension.with(b -> b.streams(2, 1));

    private static final ChaosSchedule FAST = ChaosSchedule.seeded(11)
            .lengths(Duration.ofMillis(40), Duration.ofMillis(80)).calm(Duration.ZERO, Duration.ofMillis(20));

    @Test
    void episodesComeAndGoAfterTheTestsOwnRulesAndAreCounted() throws Exception {
        SimMist m = mist.get();
        FaultRule own = FaultRule.forPath("/nothing-goes-here").hang();
        m.faults().add(own);
        ChaosRunner runner = m.chaos().start(FAST);
        awaitTrue(() -> runner.episodes().values().stream().mapToLong(Long::longValue).sum() >= 10, "10 episodes");
        assertThat(m.faults().rules().get(0)).isSameAs(own);
        assertThat(m.faults().rules()).hasSizeLessThanOrEqualTo(2);
        assertThat(runner.history()).hasSizeGreaterThanOrEqualTo(10);
        m.chaos().stop();
        assertThat(m.faults().rules()).containsExactly(own);
        assertThat(m.chaos().runner()).isNull();
    }

    @Test
    void pauseRemovesTheCurrentRuleAndHoldsTheScheduleUntilResume() throws Exception {
        SimMist m = mist.get();
        ChaosRunner runner = m.chaos().start(FAST.lengths(Duration.ofSeconds(1), Duration.ofSeconds(1)));
        awaitTrue(() -> runner.current() != null, "an episode began");
        runner.pause();
        assertThat(runner.current()).isNull();
        assertThat(m.faults().rules()).isEmpty();
        Thread.sleep(100);
        assertThat(m.faults().rules()).as("no episode while paused").isEmpty();
        runner.resume();
        awaitTrue(() -> runner.current() != null, "episodes again after resume");
        m.chaos().stop();
        assertThat(m.faults().rules()).isEmpty();
    }

    @Test
    void requestsAFaultWasAppliedToAreCountedPerAction() throws Exception {
        SimMist m = mist.get();
        long before = m.faults().injected().getOrDefault(FaultAction.CLOSE_AFTER_REPLY, 0L);
        m.faults().add(FaultRule.forCommand("push_list").closeAfterReply().times(2));
        for (int i = 0; i < 3; i++) {
            try (RawHttp http = new RawHttp(m.port())) {
                assertOk(http.post("/api2", "{\"push_list\":true}"));
            }
        }
        assertThat(m.faults().injected().get(FaultAction.CLOSE_AFTER_REPLY)).isEqualTo(before + 2);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
