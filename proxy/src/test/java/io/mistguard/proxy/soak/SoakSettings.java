package io.mistguard.proxy.soak;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How long and how hard the soak runs, from system properties that failsafe passes through:
 * {@code soak.minutes} (default 2) and {@code soak.seed} (default: a fresh one, printed so that a
 * failed run's fault plan can be replayed). Also the phases' times, as fractions of the run.
 * Immutable.
 *
 * <p>Epsilon is {@value #EPSILON_MILLIS} ms: mistguard's deadlines are event-loop timers, which fire
 * on the loop's next turn; the soak's mistguard runs with paranoid leak detection (a stack trace per
 * buffer) and BlockHound, beside sim-mist, the callers and a second JVM on a loaded 2-core machine;
 * a SerialGC full collection of its 128 MiB heap takes tens of milliseconds; and the caller measures
 * on its own clock, connect and read included. The report prints the longest wait past the budget
 * per route. Time the machine demonstrably took from a late exchange is credited on top, and counted
 * ({@link LateAnswers}).
 */
record SoakSettings(Duration length, long seed, Path dir) {

    static final long EPSILON_MILLIS = 250;

    static SoakSettings fromSystemProperties(Path dir) {
        double minutes = Double.parseDouble(System.getProperty("soak.minutes", "2"));
        String seed = System.getProperty("soak.seed", "");
        return new SoakSettings(Duration.ofMillis((long) (minutes * 60_000)),
                seed.isBlank() ? System.nanoTime() ^ System.currentTimeMillis() : Long.parseLong(seed.trim()), dir);
    }

    /** Calm traffic first, so caches, pools and the JIT settle before the first resource sample. */
    Duration warmUp() {
        return Duration.ofMillis(Math.min(15_000, length.toMillis() / 10));
    }

    /** When mistguard gets SIGTERM and is started again. */
    Duration restartAt() {
        return Duration.ofMillis(length.toMillis() * 45 / 100);
    }

    /** The last stretch, without faults: breakers close, the invalidation queue drains. */
    Duration calmTail() {
        return Duration.ofMillis(Math.min(15_000, length.toMillis() / 12));
    }

    /** The soak's own limit; past it the test fails instead of hanging CI. */
    Duration hardLimit() {
        return length.plusMinutes(6);
    }
}
