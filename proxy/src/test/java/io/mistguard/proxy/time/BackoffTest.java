package io.mistguard.proxy.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pins what the two backoff formulas give today, before they become one: {@code policy.Backoff}
 * (retries of a route) and {@code invalidation.Backoff} (the invalidation drainer). Both are
 * package-private in their packages, so they are called reflectively here.
 *
 * <p>They agree wherever the cap is at most 2^62 ns (146 years); beyond it each overflows its own
 * way, which the second table records.
 */
class BackoffTest {

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
    void bothFormulasGiveTheSameDelay(Duration base, Duration max, int attempt, double jitter, long nanos)
            throws ReflectiveOperationException {
        assertThat(policyFormula(base, max, attempt, jitter)).as("policy.Backoff").isEqualTo(nanos);
        assertThat(invalidationFormula(base, max, attempt, jitter)).as("invalidation.Backoff").isEqualTo(nanos);
    }

    /** Caps above 2^62 ns: policy's doubling overflows to a negative or zero delay; invalidation's guard gives up early. */
    @ParameterizedTest(name = "base {0}, max {1}, attempt {2}, jitter {3} -> policy {4}, invalidation {5}")
    @CsvSource({
            "PT0.000000001S, PT9223372036.854775807S, 63,   1.0, 4611686018427387904,  9223372036854775807",
            "PT0.000000001S, PT9223372036.854775807S, 64,   1.0, -9223372036854775808, 9223372036854775807",
            "PT0.000000001S, PT9223372036.854775807S, 64,   0.5, -4611686018427387904, 4611686018427387904",
            "PT0.000000001S, PT9223372036.854775807S, 1000, 1.0, 0,                    9223372036854775807",
            "PT0.05S,        PT9223372036.854775807S, 38,   1.0, 6871947673600000000,  9223372036854775807",
            "PT0.05S,        PT9223372036.854775807S, 39,   1.0, -4702848726509551616, 9223372036854775807",
            "PT0.05S,        PT9223372036.854775807S, 1000, 0.5, 0,                    4611686018427387904",
    })
    void beyondTwoToTheSixtySecondNanosTheyDisagree(Duration base, Duration max, int attempt, double jitter,
            long policyNanos, long invalidationNanos) throws ReflectiveOperationException {
        assertThat(policyFormula(base, max, attempt, jitter)).as("policy.Backoff").isEqualTo(policyNanos);
        assertThat(invalidationFormula(base, max, attempt, jitter)).as("invalidation.Backoff")
                .isEqualTo(invalidationNanos);
    }

    private static long policyFormula(Duration base, Duration max, int attempt, double jitter)
            throws ReflectiveOperationException {
        Method nanos = Class.forName("io.mistguard.proxy.policy.Backoff")
                .getDeclaredMethod("nanos", Duration.class, Duration.class, int.class, DoubleSupplier.class);
        nanos.setAccessible(true);
        return (long) nanos.invoke(null, base, max, attempt, (DoubleSupplier) () -> jitter);
    }

    private static long invalidationFormula(Duration base, Duration max, int attempt, double jitter)
            throws ReflectiveOperationException {
        Class<?> type = Class.forName("io.mistguard.proxy.invalidation.Backoff");
        Constructor<?> create = type.getDeclaredConstructor(Duration.class, Duration.class, DoubleSupplier.class);
        create.setAccessible(true);
        Method delay = type.getDeclaredMethod("delayNanos", int.class);
        delay.setAccessible(true);
        return (long) delay.invoke(create.newInstance(base, max, (DoubleSupplier) () -> jitter), attempt);
    }
}
