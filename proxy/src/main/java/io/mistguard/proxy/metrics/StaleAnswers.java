package io.mistguard.proxy.metrics;

import java.time.Duration;

/**
 * Where a cache reports that it answered a caller with a last-known-good response instead of
 * Mist's: {@code mistguard_stale_answers_total{route}} and {@code mistguard_stale_age_seconds{route}}.
 * The seam between the cache and Micrometer. Implementations are thread-safe and never block.
 */
@FunctionalInterface
public interface StaleAnswers {

    /** Counts nothing; for caches built without metrics (tests). */
    StaleAnswers NONE = (route, age) -> { };

    /** A stale answer was served on {@code route} (a configured route name), {@code age} old. */
    void served(String route, Duration age);
}
