package io.mistguard.sim.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Chaos mode's plan: a seed replays the same episodes, every fault kind is drawn, and draws stay in range. */
class ChaosScheduleTest {

    private static List<String> plan(ChaosSchedule schedule, int n) {
        ChaosSchedule.Episodes episodes = schedule.episodes();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ChaosSchedule.Episode e = episodes.next();
            out.add(ChaosRunner.describe(e.rule()) + " after " + e.calmBefore() + " for " + e.length());
        }
        return out;
    }

    @Test
    void theSameSeedPlansTheSameEpisodesAndAnotherSeedDoesNot() {
        assertThat(plan(ChaosSchedule.seeded(42), 50)).isEqualTo(plan(ChaosSchedule.seeded(42), 50));
        assertThat(plan(ChaosSchedule.seeded(42), 50)).isNotEqualTo(plan(ChaosSchedule.seeded(43), 50));
    }

    @Test
    void everyFaultKindIsDrawnAndEveryDrawIsWithinItsBounds() {
        ChaosSchedule schedule = ChaosSchedule.seeded(7).lengths(Duration.ofMillis(200), Duration.ofMillis(900))
                .calm(Duration.ZERO, Duration.ofMillis(300));
        ChaosSchedule.Episodes episodes = schedule.episodes();
        Set<FaultAction> seen = EnumSet.noneOf(FaultAction.class);
        Set<String> scopes = new java.util.HashSet<>();
        for (int i = 0; i < 500; i++) {
            ChaosSchedule.Episode e = episodes.next();
            FaultRule r = e.rule();
            seen.add(r.action());
            scopes.add(r.command() != null ? "command" : r.path() != null ? "path" : "any");
            assertThat(e.length()).isBetween(Duration.ofMillis(200), Duration.ofMillis(900));
            assertThat(e.calmBefore()).isBetween(Duration.ZERO, Duration.ofMillis(300));
            assertThat(r.probability()).isBetween(0.05, 1.0);
            if (r.action() == FaultAction.HANG_HOLDING_LOCK) {
                assertThat(r.probability()).as("a stuck lock stalls every command").isLessThanOrEqualTo(0.2);
            }
            if (r.command() != null) {
                assertThat(ChaosSchedule.MIST_COMMANDS).contains(r.command());
            }
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(ChaosSchedule.actions());
        assertThat(scopes).containsExactlyInAnyOrder("command", "path", "any");
    }

    @Test
    void badRangesAreRefusedWithWhatWasExpected() {
        assertThatThrownBy(() -> ChaosSchedule.seeded(1).lengths(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessage("length: PT2S..PT1S (expected: 0 <= min <= max)");
        assertThatThrownBy(() -> ChaosSchedule.seeded(1).lengths(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessage("minLength: 0 (expected: > 0)");
    }
}
