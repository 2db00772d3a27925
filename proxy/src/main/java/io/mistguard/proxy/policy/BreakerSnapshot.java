package io.mistguard.proxy.policy;

import java.time.Duration;

/**
 * A breaker's state at one moment, for the admin listener and tests.
 *
 * @param name the breaker's config name
 * @param state {@code closed}, {@code open} or {@code half_open}
 * @param failureRate percent of failed calls in the current window
 * @param calls calls recorded in the current window
 * @param remainingOpen time until an open breaker lets a trial through; zero otherwise
 * @param trialsOut half-open trial calls in flight
 */
public record BreakerSnapshot(String name, String state, int failureRate, int calls, Duration remainingOpen,
                              int trialsOut) {}
