package io.mistguard.proxy.config;

import java.time.Duration;

/**
 * A named admission pool: how many requests may be at Mist at once and how many may wait for a
 * slot. Mist runs every command under one global lock, so routes normally share one pool.
 *
 * @param maxConcurrent requests in flight towards Mist at once
 * @param maxQueue requests waiting for a slot; one more is answered at once ({@code overload})
 * @param queueTimeout the longest a request waits for a slot ({@code queue-timeout}); the route's
 *                     total budget may end the wait earlier
 */
public record AdmissionConfig(int maxConcurrent, int maxQueue, Duration queueTimeout) {

    static final AdmissionConfig DEFAULTS = new AdmissionConfig(4, 200, Duration.ofSeconds(1));

    public AdmissionConfig {
        Require.inRange(maxConcurrent, 1, Integer.MAX_VALUE, "maxConcurrent");
        Require.inRange(maxQueue, 0, Integer.MAX_VALUE, "maxQueue");
        Require.positive(queueTimeout, "queueTimeout");
    }

    /** 4 at Mist, 200 waiting, 1s queue timeout. */
    public static AdmissionConfig defaults() {
        return DEFAULTS;
    }
}
