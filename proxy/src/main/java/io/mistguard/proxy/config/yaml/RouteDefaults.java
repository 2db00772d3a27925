package io.mistguard.proxy.config.yaml;

import io.mistguard.proxy.config.RejectionConfig;
import io.mistguard.proxy.config.RetryConfig;
import java.time.Duration;

/**
 * The {@code route_defaults} section: the values a route takes for every key it does not set.
 * Merged into each route once, at load time, key by key (a route setting {@code retry.attempts}
 * keeps the default backoff and budget).
 */
record RouteDefaults(Duration timeout, Duration perTryTimeout, RetryConfig retry, String breaker, String admission,
                     RejectionConfig rejection) {

    /** Without a {@code route_defaults} section: {@code request_timeout}, no retries, no breaker or pool. */
    static RouteDefaults of(Duration requestTimeout) {
        return new RouteDefaults(requestTimeout, requestTimeout, RetryConfig.NONE, null, null, RejectionConfig.DEFAULTS);
    }
}
