package io.mistguard.proxy.config;

import java.time.Duration;

/**
 * How a route answers when mistguard turns a request away itself (breaker open, overload, queue
 * timeout). catalyst-api sleeps for whatever {@code Retry-After} says, uncapped, so it is at most
 * 1s; it is sent on 429 and 503 answers only.
 *
 * @param status the HTTP status, 400 to 599 (503 by default; a 4xx makes catalyst-api give up at once)
 * @param retryAfter 0s (no header) or 1s
 */
public record RejectionConfig(int status, Duration retryAfter) {

    /** catalyst-api sleeps for {@code Retry-After} uncapped: never more than this. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(1);

    public static final RejectionConfig DEFAULTS = new RejectionConfig(503, MAX_RETRY_AFTER);

    public RejectionConfig {
        Require.inRange(status, 400, 599, "status");
        Require.notNegative(retryAfter, "retryAfter");
        if (retryAfter.compareTo(MAX_RETRY_AFTER) > 0) {
            throw new IllegalArgumentException("retryAfter: " + Durations.format(retryAfter) + " (expected: <= 1s)");
        }
    }

    /** The {@code Retry-After} header value in whole seconds, or 0 for none. */
    public int retryAfterSeconds() {
        return retryAfter.isZero() ? 0 : 1;
    }
}
