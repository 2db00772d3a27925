package io.mistguard.proxy.invalidation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {

    @ParameterizedTest(name = "failure {0}: ceiling {1} ms")
    @CsvSource({"1, 100", "2, 200", "3, 400", "4, 800", "5, 1000", "6, 1000", "64, 1000", "2147483647, 1000"})
    void ceilingDoublesPerFailureUpToTheCap(int failures, long ceilingMillis) {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.5);
        assertThat(backoff.ceilingNanos(failures)).isEqualTo(Duration.ofMillis(ceilingMillis).toNanos());
    }

    @Test
    void fullJitterSpansZeroToTheCeiling() {
        assertThat(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.0).delayNanos(3))
                .isZero();
        assertThat(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.25).delayNanos(3))
                .isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.999).delayNanos(9))
                .isLessThan(Duration.ofSeconds(1).toNanos())
                .isGreaterThan(Duration.ofMillis(990).toNanos());
    }

    @Test
    void outOfRangeJitterIsClamped() {
        assertThat(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 7.0).delayNanos(1))
                .isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> -1.0).delayNanos(1))
                .isZero();
    }

    @Test
    void hugeInitialBackoffDoesNotOverflow() {
        Duration huge = Duration.ofDays(365 * 200);
        assertThat(new Backoff(huge, huge, () -> 0.5).ceilingNanos(3)).isEqualTo(huge.toNanos());
    }
}
