package io.mistguard.proxy.config;

import java.time.Duration;

/**
 * A named circuit breaker. It opens when, over its window, at least {@code failureRate} percent
 * of recorded calls failed (timeouts, connection errors, bad responses; any HTTP answer from Mist
 * is a success); it then answers at once for {@code openDuration}, lets {@code halfOpenTrials}
 * calls through, and closes when all of them succeed.
 *
 * @param failureRate percent of failed calls that opens the breaker, 1 to 100
 * @param windowCalls a count window of the last N calls, or {@code 0}; it opens as soon as
 *                    {@code ceil(failureRate% of N)} of the last N calls failed
 * @param windowTime a time window, or {@code null}; exactly one of the two windows is set
 * @param minimumCalls calls needed in a time window before it decides; for a count window it
 *                     must equal {@code windowCalls} (Failsafe's count window has no minimum)
 * @param openDuration how long the breaker stays open before trying again
 * @param halfOpenTrials calls let through at once while half-open; all must succeed to close
 */
public record BreakerConfig(int failureRate, int windowCalls, Duration windowTime, int minimumCalls,
                            Duration openDuration, int halfOpenTrials) {

    static final BreakerConfig DEFAULTS = new BreakerConfig(50, 0, Duration.ofSeconds(10), 5,
                                                            Duration.ofSeconds(2), 1);

    public BreakerConfig {
        Require.inRange(failureRate, 1, 100, "failureRate");
        Require.inRange(windowCalls, 0, Integer.MAX_VALUE, "windowCalls");
        if ((windowCalls == 0) == (windowTime == null)) {
            throw new IllegalArgumentException("window: (expected: exactly one of windowCalls, windowTime)");
        }
        if (windowTime != null) {
            Require.positive(windowTime, "windowTime");
        }
        Require.inRange(minimumCalls, 1, Integer.MAX_VALUE, "minimumCalls");
        if (windowCalls > 0 && minimumCalls != windowCalls) {
            throw new IllegalArgumentException("minimumCalls: " + minimumCalls + " (expected: " + windowCalls
                                               + ", the size of the count window)");
        }
        Require.positive(openDuration, "openDuration");
        Require.inRange(halfOpenTrials, 1, Integer.MAX_VALUE, "halfOpenTrials");
    }

    /** 50% of at least 5 calls over 10s opens for 2s; one trial call. */
    public static BreakerConfig defaults() {
        return DEFAULTS;
    }

    /** A count window: at least {@code failureRate}% of the last {@code calls} calls failed. */
    public static BreakerConfig countWindow(int failureRate, int calls, Duration openDuration, int halfOpenTrials) {
        return new BreakerConfig(failureRate, calls, null, calls, openDuration, halfOpenTrials);
    }
}
