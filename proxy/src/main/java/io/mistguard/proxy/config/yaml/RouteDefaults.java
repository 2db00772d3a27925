package io.mistguard.proxy.config.yaml;

import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.RejectionConfig;
import io.mistguard.proxy.config.RetryConfig;
import java.time.Duration;

/**
 * The {@code route_defaults} section: the values a route takes for every key it does not set.
 * Merged into each route once, at load time, key by key (a route setting {@code retry.attempts}
 * keeps the default backoff and budget); without {@code routes}, into the built-in table.
 */
record RouteDefaults(Duration timeout, Duration perTryTimeout, RetryConfig retry, String breaker, String admission,
                     RejectionConfig rejection) {

    /** Without a {@code route_defaults} section: {@code request_timeout}, no retries, no breaker or pool. */
    static RouteDefaults of(Duration requestTimeout) {
        return new RouteDefaults(requestTimeout, requestTimeout, RetryConfig.NONE, null, null, RejectionConfig.DEFAULTS);
    }

    /**
     * The defaults the built-in table is written with (the {@code route_defaults} section of
     * {@code deploy/mistguard.yaml}): {@code request_timeout}, two attempts, the {@code mist} breaker
     * and pool. A {@code route_defaults} section without {@code routes} changes these.
     */
    static RouteDefaults shipped(Duration requestTimeout) {
        return new RouteDefaults(requestTimeout, requestTimeout, PolicyConfig.SHIPPED_RETRY, PolicyConfig.MIST,
                                 PolicyConfig.MIST, RejectionConfig.DEFAULTS);
    }
}
