package io.mistguard.sim.fault;

import static io.mistguard.sim.MistReplies.assertOk;
import static io.mistguard.sim.Timing.since;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.RawHttp;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.Timing;
import io.mistguard.sim.junit.SimMistExtension;
import java.time.Duration;
import java.util.LongSummaryStatistics;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code delay} fault: a slow Mist that holds the global lock. Only lower bounds on time are
 * asserted; an upper bound would flake on a busy machine.
 */
class DelayFaultTest {

    static final String PUSH_LIST = "{\"push_list\":true}";

    @RegisterExtension
    static SimMistExtension mist = SimMistExtension.with(b -> b.streams(2, 1));

    @Test
    void fixedDelayAnswersNoEarlierThanTheDelay() throws Exception {
        mist.get().faults().add(FaultRule.forCommand("push_list").delay(Duration.ofMillis(300)));
        try (RawHttp http = new RawHttp(mist.get().port())) {
            long start = System.nanoTime();
            assertOk(http.post("/api2", PUSH_LIST));
            assertThat(since(start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
    }

    @Test
    void delayRangeAnswersNoEarlierThanTheMinimum() throws Exception {
        mist.get().faults().add(FaultRule.forCommand("push_list").delay(Duration.ofMillis(120), Duration.ofMillis(250)));
        try (RawHttp http = new RawHttp(mist.get().port())) {
            for (int i = 0; i < 4; i++) {
                long start = System.nanoTime();
                assertOk(http.post("/api2", PUSH_LIST));
                assertThat(since(start)).as("request %d", i).isGreaterThanOrEqualTo(Duration.ofMillis(120));
            }
        }
        assertThat(mist.get().recording().commandCount("push_list")).isEqualTo(4);
    }

    @Test
    void delayRangeIsDrawnUniformlyBetweenMinAndMax() {
        FaultRule rule = FaultRule.any().delay(Duration.ofMillis(100), Duration.ofMillis(200));
        LongSummaryStatistics drawn = IntStream.range(0, 2000).mapToLong(i -> rule.pickDelay().toNanos())
                .summaryStatistics();
        assertThat(drawn.getMin()).isGreaterThanOrEqualTo(Duration.ofMillis(100).toNanos())
                .isLessThan(Duration.ofMillis(110).toNanos());
        assertThat(drawn.getMax()).isLessThanOrEqualTo(Duration.ofMillis(200).toNanos())
                .isGreaterThan(Duration.ofMillis(190).toNanos());
        assertThat(drawn.getAverage()).isBetween(140e6, 160e6);
        assertThat(FaultRule.any().delay(Duration.ofMillis(70)).pickDelay()).isEqualTo(Duration.ofMillis(70));
    }

    @Test
    void delayHoldsTheGlobalLockSoAnotherCommandQueuesBehindIt() throws Exception {
        SimMist m = mist.get();
        Duration delay = Duration.ofMillis(600);
        m.faults().add(FaultRule.forCommand("push_list").delay(delay).times(1));
        try (RawHttp slow = new RawHttp(m.port()); RawHttp other = new RawHttp(m.port())) {
            long start = System.nanoTime();
            slow.send("POST", "/api2", "application/json", PUSH_LIST);
            Timing.awaitRequests(m, 1);
            // No fault matches this one: only the lock held by the delayed push_list can hold it up.
            other.send("POST", "/api2", "application/json", "{\"active_streams\":true}");
            assertOk(other.read());
            assertThat(since(start)).isGreaterThanOrEqualTo(delay);
            assertOk(slow.read());
        }
        assertThat(m.recording().commandCount("active_streams")).isEqualTo(1);
    }
}
