package io.mistguard.proxy.policy;

import java.time.Duration;

/**
 * A breaker's state at one moment, for the admin listener and tests.
 *
 * @param name the breaker's config name
 * @param state {@code closed}, {@code open} or {@code half_open}
 * @param failureRate percent of failed calls in the current window: for a time window, among the
 *                    calls recorded in the last {@code window_time} (to a tenth of it; 0 once that
 *                    long passed with none), counted afresh when the breaker closes; for a count
 *                    window, among the last {@code window_calls}; while half-open, among its trials
 * @param calls calls recorded in that window
 * @param remainingOpen time until an open breaker lets a trial through; zero otherwise
 * @param trialsOut half-open trial calls in flight
 * @param forced an operator's override: {@code open}, {@code closed} or {@code none}
 * @param forcedFor time left of the override; zero when none
 * @param lastFailure the reason token of the last failure a call reported ({@code timeout},
 *                    {@code connect-refused}, {@code upstream-reset}, …), also under a forced-closed
 *                    override; {@code null} when none was reported since the breaker was made
 * @param sinceLastFailure how long ago that failure was reported; {@code null} when none was
 */
public record BreakerSnapshot(String name, String state, int failureRate, int calls, Duration remainingOpen,
                              int trialsOut, String forced, Duration forcedFor, String lastFailure,
                              Duration sinceLastFailure) {

    /** {@link #forced()} when no override is in force. */
    public static final String NOT_FORCED = "none";

    /** For metrics: 0 closed, 1 open, 2 half-open, as callers experience it (an override wins). */
    public int stateNumber() {
        if (!forced.equals(NOT_FORCED)) {
            return forced.equals("open") ? 1 : 0;
        }
        return switch (state) {
            case "open" -> 1;
            case "half_open" -> 2;
            default -> 0;
        };
    }
}
