package io.mistguard.proxy.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one backoff, against the two formulas it replaced: {@code policy.Backoff} (a route's retries)
 * and {@code invalidation.Backoff} (the invalidation drainer). Their outputs on the tables below were
 * pinned against the old classes themselves before they were deleted (see this file's history).
 *
 * <p>The old formulas agreed wherever the cap is at most 2^62 ns (146 years), and this one gives the
 * same there. Beyond it each overflowed its own way; this one stays exact (second table).
 */
class BackoffTest {

    private static final Duration MS_100 = Duration.ofMillis(100);
    private static final Duration S_1 = Duration.ofSeconds(1);

    @ParameterizedTest(name = "base {0}, max {1}, attempt {2}, jitter {3} -> {4} ns")
    @CsvSource({
            // route defaults: 50ms..500ms
            "PT0.05S, PT0.5S, 0,    1.0,   50000000",
            "PT0.05S, PT0.5S, 1,    0.5,   25000000",
            "PT0.05S, PT0.5S, 2,    1.0,   100000000",
            "PT0.05S, PT0.5S, 3,    0.999, 199800000",
            "PT0.05S, PT0.5S, 37,   1.0,   500000000",
            "PT0.05S, PT0.5S, 38,   1.0,   500000000",
            "PT0.05S, PT0.5S, 63,   1.0,   500000000",
            "PT0.05S, PT0.5S, 64,   1.0,   500000000",
            "PT0.05S, PT0.5S, 1000, 0.5,   250000000",
            // invalidation defaults: 200ms..5s
            "PT0.2S,  PT5S,   0,    1.0,   200000000",
            "PT0.2S,  PT5S,   1,    1.0,   200000000",
            "PT0.2S,  PT5S,   5,    1.0,   3200000000",
            "PT0.2S,  PT5S,   6,    1.0,   5000000000",
            "PT0.2S,  PT5S,   37,   0.5,   2500000000",
            "PT0.2S,  PT5S,   38,   1.0,   5000000000",
            "PT0.2S,  PT5S,   63,   1.0,   5000000000",
            "PT0.2S,  PT5S,   64,   1.0,   5000000000",
            "PT0.2S,  PT5S,   1000, 0.999, 4995000000",
            "PT0.2S,  PT5S,   1000, 0.0,   0",
            // 200ms..30s
            "PT0.2S,  PT30S,  8,    1.0,   25600000000",
            "PT0.2S,  PT30S,  9,    1.0,   30000000000",
            "PT0.2S,  PT30S,  37,   1.0,   30000000000",
            "PT0.2S,  PT30S,  1000, 1.0,   30000000000",
            // 1ns..1s: thirty doublings before the cap
            "PT0.000000001S, PT1S, 1,    1.0, 1",
            "PT0.000000001S, PT1S, 30,   1.0, 536870912",
            "PT0.000000001S, PT1S, 31,   1.0, 1000000000",
            "PT0.000000001S, PT1S, 37,   1.0, 1000000000",
            "PT0.000000001S, PT1S, 38,   1.0, 1000000000",
            "PT0.000000001S, PT1S, 63,   1.0, 1000000000",
            "PT0.000000001S, PT1S, 64,   1.0, 1000000000",
            "PT0.000000001S, PT1S, 1000, 1.0, 1000000000",
            // 1ns..2^62ns: the largest cap at which both formulas are still exact
            "PT0.000000001S, PT4611686018.427387904S, 37,   1.0, 68719476736",
            "PT0.000000001S, PT4611686018.427387904S, 38,   1.0, 137438953472",
            "PT0.000000001S, PT4611686018.427387904S, 62,   1.0, 2305843009213693952",
            "PT0.000000001S, PT4611686018.427387904S, 63,   1.0, 4611686018427387904",
            "PT0.000000001S, PT4611686018.427387904S, 64,   1.0, 4611686018427387904",
            "PT0.000000001S, PT4611686018.427387904S, 1000, 1.0, 4611686018427387904",
            "PT0.000000001S, PT4611686018.427387904S, 1000, 0.5, 2305843009213693952",
            // 50ms..Long.MAX_VALUE ns, before either overflows
            "PT0.05S, PT9223372036.854775807S, 37, 1.0, 3435973836800000000",
            // a base above the cap: the cap
            "PT5S,    PT1S,   0,    1.0,   1000000000",
            "PT5S,    PT1S,   1,    1.0,   1000000000",
            "PT5S,    PT1S,   64,   1.0,   1000000000",
            "PT5S,    PT1S,   1000, 1.0,   1000000000",
    })
    void givesWhatBothOldFormulasGave(Duration base, Duration max, int attempt, double jitter, long nanos) {
        assertThat(Backoff.nanos(base, max, attempt, () -> jitter)).as("as route retries call it").isEqualTo(nanos);
        assertThat(new Backoff(base, max, () -> jitter).delayNanos(attempt)).as("as the drainer calls it")
                .isEqualTo(nanos);
    }

    /**
     * Caps above 2^62 ns: the old policy formula's doubling overflowed to a negative or zero delay, the
     * old invalidation guard returned the cap one doubling early. Kept for the record; now exact.
     */
    @ParameterizedTest(name = "base {0}, max {1}, attempt {2}, jitter {3} -> {6} (policy was {4}, invalidation {5})")
    @CsvSource({
            "PT0.000000001S, PT9223372036.854775807S, 63,   1.0, 4611686018427387904,  9223372036854775807, 4611686018427387904",
            "PT0.000000001S, PT9223372036.854775807S, 64,   1.0, -9223372036854775808, 9223372036854775807, 9223372036854775807",
            "PT0.000000001S, PT9223372036.854775807S, 64,   0.5, -4611686018427387904, 4611686018427387904, 4611686018427387904",
            "PT0.000000001S, PT9223372036.854775807S, 1000, 1.0, 0,                    9223372036854775807, 9223372036854775807",
            "PT0.05S,        PT9223372036.854775807S, 38,   1.0, 6871947673600000000,  9223372036854775807, 6871947673600000000",
            "PT0.05S,        PT9223372036.854775807S, 39,   1.0, -4702848726509551616, 9223372036854775807, 9223372036854775807",
            "PT0.05S,        PT9223372036.854775807S, 1000, 0.5, 0,                    4611686018427387904, 4611686018427387904",
    })
    void beyondTwoToTheSixtySecondNanosItStaysExact(Duration base, Duration max, int attempt, double jitter,
            long policyWas, long invalidationWas, long nanos) {
        assertThat(Backoff.nanos(base, max, attempt, () -> jitter)).isEqualTo(nanos);
        assertThat(new Backoff(base, max, () -> jitter).delayNanos(attempt)).isEqualTo(nanos);
    }

    /** Removing the overflow guard in ceilingNanos makes this fail (a wrapped shift, or x << 64 == x). */
    @ParameterizedTest(name = "base {0}, max {1}")
    @CsvSource({"PT0.05S, PT0.5S", "PT0.2S, PT5S", "PT0.000000001S, PT1S", "PT0.000000001S, PT9223372036.854775807S",
                "PT1S, PT9223372036.854775807S", "PT2562047H, PT2562047H"})
    void ceilingNeverShrinksNorPassesTheCapAtAnyAttemptCount(Duration base, Duration max) {
        Backoff backoff = new Backoff(base, max, () -> 1.0);
        long previous = 0;
        for (int n = 1; n <= 100_000; n++) {
            long ceiling = backoff.ceilingNanos(n);
            assertThat(ceiling).as("attempt %d", n).isBetween(Math.max(previous, 1), max.toNanos());
            previous = ceiling;
        }
        assertThat(previous).isEqualTo(max.toNanos());
        for (int n : new int[] {Integer.MAX_VALUE / 2, Integer.MAX_VALUE - 1, Integer.MAX_VALUE}) {
            assertThat(backoff.ceilingNanos(n)).as("attempt %d", n).isEqualTo(max.toNanos());
            assertThat(backoff.delayNanos(n)).as("attempt %d", n).isEqualTo(max.toNanos());
        }
    }

    @ParameterizedTest(name = "failure {0}: ceiling {1} ms")
    @CsvSource({"1, 100", "2, 200", "3, 400", "4, 800", "5, 1000", "6, 1000", "64, 1000", "2147483647, 1000"})
    void ceilingDoublesPerFailureUpToTheCap(int failures, long ceilingMillis) {
        Backoff backoff = new Backoff(MS_100, S_1, () -> 0.5);
        assertThat(backoff.ceilingNanos(failures)).isEqualTo(Duration.ofMillis(ceilingMillis).toNanos());
        assertThat(Backoff.ceilingNanos(MS_100, S_1, failures)).isEqualTo(Duration.ofMillis(ceilingMillis).toNanos());
    }

    @Test
    void fullJitterSpansZeroToTheCeiling() {
        assertThat(new Backoff(MS_100, S_1, () -> 0.0).delayNanos(3)).isZero();
        assertThat(new Backoff(MS_100, S_1, () -> 0.25).delayNanos(3)).isEqualTo(MS_100.toNanos());
        assertThat(new Backoff(MS_100, S_1, () -> 0.999).delayNanos(9))
                .isLessThan(S_1.toNanos())
                .isGreaterThan(Duration.ofMillis(990).toNanos());
    }

    @Test
    void outOfRangeJitterIsClamped() {
        assertThat(new Backoff(MS_100, S_1, () -> 7.0).delayNanos(1)).isEqualTo(MS_100.toNanos());
        assertThat(new Backoff(MS_100, S_1, () -> -1.0).delayNanos(1)).isZero();
        assertThat(Backoff.nanos(MS_100, S_1, 1, () -> 7.0)).isEqualTo(MS_100.toNanos());
    }

    @Test
    void hugeInitialBackoffDoesNotOverflow() {
        Duration huge = Duration.ofDays(365 * 200);
        assertThat(new Backoff(huge, huge, () -> 0.5).ceilingNanos(3)).isEqualTo(huge.toNanos());
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT0S", "PT-1S"})
    void baseAndMaxMustBePositive(Duration bad) {
        assertThatThrownBy(() -> new Backoff(bad, S_1, () -> 0.5)).hasMessage("base: " + bad + " (expected: > 0)");
        assertThatThrownBy(() -> Backoff.nanos(MS_100, bad, 1, () -> 0.5)).hasMessage("max: " + bad + " (expected: > 0)");
    }
}
