package io.mistguard.proxy.config;

import java.time.Duration;

/**
 * The {@code triggers.delivery:} section: how non-blocking triggers ({@code PUSH_END},
 * {@code STREAM_BUFFER}, {@code LIVE_TRACK_LIST}, {@code USER_END}), answered to Mist at once, are
 * delivered to catalyst-api afterwards. Immutable.
 *
 * @param maxPending      triggers held (waiting, backing off or in flight); one more is refused with
 *                        503 {@code trigger-queue-full}
 * @param maxPendingBytes request bytes held (bodies and headers); the same refusal beyond it
 * @param maxConcurrent   deliveries at catalyst-api at once
 * @param timeout         one delivery attempt; on expiry its connection is closed and it is retried
 * @param maxAttempts     attempts per trigger, the first included; then it is dropped (counted, logged)
 * @param initialBackoff  backoff ceiling after the first failure; doubles per failure (full jitter)
 * @param maxBackoff      the largest backoff ceiling
 */
public record TriggerDeliveryConfig(int maxPending, long maxPendingBytes, int maxConcurrent, Duration timeout,
                                    int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    /** More attempts than this only keeps a dead trigger in memory. */
    public static final int MAX_ATTEMPTS_LIMIT = 100;

    private static final TriggerDeliveryConfig DEFAULTS = new TriggerDeliveryConfig(1000, 8L << 20, 4,
            Duration.ofSeconds(5), 10, Duration.ofMillis(200), Duration.ofSeconds(5));

    public TriggerDeliveryConfig {
        Require.inRange(maxPending, 1, Integer.MAX_VALUE, "maxPending");
        Require.inRange(maxPendingBytes, 1, Long.MAX_VALUE, "maxPendingBytes");
        Require.inRange(maxConcurrent, 1, Integer.MAX_VALUE, "maxConcurrent");
        Require.positive(timeout, "timeout");
        Require.inRange(maxAttempts, 1, MAX_ATTEMPTS_LIMIT, "maxAttempts");
        Require.positive(initialBackoff, "initialBackoff");
        Require.positive(maxBackoff, "maxBackoff");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff: " + Durations.format(maxBackoff)
                    + " (expected: >= initialBackoff " + Durations.format(initialBackoff) + ')');
        }
    }

    /** 1000 triggers or 8 MiB held, 4 at once, 5 s per attempt, 10 attempts, backoff 200 ms..5 s. */
    public static TriggerDeliveryConfig defaults() {
        return DEFAULTS;
    }
}
