package io.mistguard.proxy.policy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a caller's own deadline: {@code Mistguard-Timeout-Ms} or Envoy's
 * {@code x-envoy-expected-rq-timeout-ms}, in whole milliseconds. It can only shorten a route's
 * budget. A malformed or non-positive value is ignored (said in a debug log): a typo in a caller
 * must not turn into an instant failure. Stateless.
 *
 * <p>Both names are looked up on every request, as {@link AsciiString}s: their hash is computed once,
 * where a {@code String} name is hashed again at every lookup.
 */
final class CallerDeadline {

    static final AsciiString HEADER = AsciiString.cached("Mistguard-Timeout-Ms");
    static final AsciiString ENVOY_HEADER = AsciiString.cached("x-envoy-expected-rq-timeout-ms");

    private static final Logger log = LoggerFactory.getLogger(CallerDeadline.class);

    private CallerDeadline() {}

    /** The route budget, shortened by the caller's header if it asks for less. */
    static long budgetNanos(HttpHeaders headers, long routeBudgetNanos) {
        long budget = routeBudgetNanos;
        budget = Math.min(budget, headerNanos(headers, HEADER));
        return Math.min(budget, headerNanos(headers, ENVOY_HEADER));
    }

    private static long headerNanos(HttpHeaders headers, AsciiString name) {
        String value = headers.get(name);
        if (value == null) {
            return Long.MAX_VALUE;
        }
        try {
            long millis = Long.parseLong(value.trim());
            if (millis > 0 && millis < Long.MAX_VALUE / 1_000_000) {
                return millis * 1_000_000;
            }
        } catch (NumberFormatException e) {
            // fall through: ignored below
        }
        log.debug("ignoring {}: {} (expected: a positive whole number of milliseconds)", name, value);
        return Long.MAX_VALUE;
    }
}
