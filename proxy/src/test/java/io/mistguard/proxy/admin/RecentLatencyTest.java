package io.mistguard.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.metrics.RouteLatency;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The last minute of a route's latencies from cumulative histogram readings (issue 16), on readings
 * and times the test chooses: no clock, no meters.
 */
class RecentLatencyTest {

    private static final List<Duration> BOUNDS = List.of(Duration.ofMillis(10), Duration.ofMillis(100),
            Duration.ofMillis(300), Duration.ofSeconds(1));
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    private final RecentLatency recent = new RecentLatency();

    /** Cumulative counts per bound, all answers (some maybe past the last bound), and stale totals. */
    private static RouteLatency reading(long[] within, long answers, long stale, double staleSeconds) {
        return new RouteLatency(BOUNDS, within, answers, stale, staleSeconds);
    }

    private static RouteLatency reading(long... within) {
        return reading(within, within[within.length - 1], 0, 0);
    }

    @Test
    void theFirstReadingCoversEverythingSinceStartAndSaysSo() {
        RecentLatency.Figures f = recent.observe("get-state", reading(50, 100, 100, 100), 5 * SECOND);

        assertThat(f.window()).isNull();
        assertThat(f.answers()).isEqualTo(100);
        // rank 50 is the last answer of the first bucket: its upper bound
        assertThat(f.p50().estimate()).isEqualTo(Duration.ofMillis(10));
        // rank 99 lies in (10 ms, 100 ms], 49 of its 50 answers: 10 + 90 × 49/50 ms
        assertThat(f.p99().estimate()).isEqualTo(Duration.ofMillis(10).plus(Duration.ofNanos(90_000_000L * 49 / 50)));
        assertThat(f.p99().above()).isEqualTo(Duration.ofMillis(10));
        assertThat(f.p99().atMost()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void laterFiguresAreTheDifferenceFromTheOldestReadingInTheWindow() {
        recent.observe("r", reading(100, 100, 100, 100), 0);
        // 40 s later: 100 more answers, all between 100 ms and 300 ms (Mist got slow)
        RecentLatency.Figures f = recent.observe("r", reading(100, 100, 200, 200), 40 * SECOND);

        assertThat(f.window()).isEqualTo(Duration.ofSeconds(40));
        assertThat(f.answers()).isEqualTo(100);
        assertThat(f.p50().above()).isEqualTo(Duration.ofMillis(100));
        assertThat(f.p50().estimate()).isEqualTo(Duration.ofMillis(200));
        assertThat(f.p99().atMost()).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void readingsOlderThanAMinuteDropOutOfTheWindow() {
        recent.observe("r", reading(0, 0, 0, 0), 0);
        recent.observe("r", reading(1000, 1000, 1000, 1000), 30 * SECOND); // a fast start
        RecentLatency.Figures f = recent.observe("r", reading(1000, 1000, 1010, 1010), 61 * SECOND);

        assertThat(f.window()).isEqualTo(Duration.ofSeconds(31));
        assertThat(f.answers()).as("only what came after the reading 31 s ago").isEqualTo(10);
        assertThat(f.p50().above()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void readingsCloserThanASecondAreNotKept() {
        recent.observe("r", reading(10, 10, 10, 10), 0);
        recent.observe("r", reading(20, 20, 20, 20), SECOND / 2); // not kept
        RecentLatency.Figures f = recent.observe("r", reading(30, 30, 30, 30), SECOND);

        assertThat(f.window()).isEqualTo(Duration.ofSeconds(1));
        assertThat(f.answers()).isEqualTo(20);
        RecentLatency.Figures next = recent.observe("r", reading(30, 30, 30, 30), 2 * SECOND);
        assertThat(next.window()).as("the oldest kept reading is still the base").isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void afterNobodyLookedForLongerThanTheWindowTheFiguresSayHowLongTheyCover() {
        recent.observe("r", reading(10, 10, 10, 10), 0);
        RecentLatency.Figures f = recent.observe("r", reading(15, 15, 15, 15), 600 * SECOND);

        assertThat(f.window()).isEqualTo(Duration.ofMinutes(10));
        assertThat(f.answers()).isEqualTo(5);
        assertThat(recent.observe("r", reading(16, 16, 16, 16), 601 * SECOND).window())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void newMetersAfterAReloadStartTheRouteAfresh() {
        recent.observe("r", reading(100, 100, 100, 100), 0);
        RecentLatency.Figures fewer = recent.observe("r", reading(1, 2, 2, 2), 10 * SECOND);
        assertThat(fewer.window()).as("counters went down: new meters").isNull();
        assertThat(fewer.answers()).isEqualTo(2);

        RouteLatency otherBuckets = new RouteLatency(List.of(Duration.ofMillis(10), Duration.ofSeconds(2)),
                                                     new long[] {5, 9}, 9, 0, 0);
        assertThat(recent.observe("r", otherBuckets, 20 * SECOND).window()).as("other buckets: new meters").isNull();
    }

    @Test
    void aQuantileBeyondTheLastBucketIsOnlyKnownToBeAboveIt() {
        RecentLatency.Figures f = recent.observe("r", reading(new long[] {0, 0, 0, 1}, 100, 0, 0), 0);

        assertThat(f.p50().above()).isEqualTo(Duration.ofSeconds(1));
        assertThat(f.p50().atMost()).isNull();
        assertThat(f.p50().estimate()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void noAnswersNoQuantiles() {
        recent.observe("r", reading(5, 5, 5, 5), 0);
        RecentLatency.Figures f = recent.observe("r", reading(5, 5, 5, 5), 5 * SECOND);

        assertThat(f.answers()).isZero();
        assertThat(f.p50()).isNull();
        assertThat(f.p99()).isNull();
        assertThat(f.staleMeanAge()).isNull();
    }

    @Test
    void staleAnswersAndTheirMeanAgeInTheWindow() {
        recent.observe("r", reading(new long[] {0, 0, 0, 0}, 0, 10, 100.0), 0);
        RecentLatency.Figures f = recent.observe("r", reading(new long[] {4, 4, 4, 4}, 4, 14, 112.0), 5 * SECOND);

        assertThat(f.staleAnswers()).isEqualTo(4);
        assertThat(f.staleMeanAge()).isEqualTo(Duration.ofSeconds(3)); // (112 - 100) s / 4
    }

    @Test
    void routesThatAreGoneAreForgotten() {
        recent.observe("old", reading(1, 1, 1, 1), 0);
        recent.retain(Set.of("new"));

        assertThat(recent.observe("old", reading(2, 2, 2, 2), 5 * SECOND).window()).isNull();
    }
}
