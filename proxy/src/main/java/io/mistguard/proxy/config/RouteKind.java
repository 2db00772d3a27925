package io.mistguard.proxy.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a route's requests do to Mist, which decides what mistguard may do with them (design.md,
 * "Routes and policies"): only reads are ever retried after they reached Mist.
 */
public enum RouteKind {
    /** Safe to repeat: retried within budget (GetState, {@code {"config":{}}}, Prometheus paths). */
    READ,
    /** Changes Mist: never replayed once sent; retried only when it provably never left mistguard. */
    WRITE,
    /** {@code invalidate_sessions}: answered by a queue in front of the forwarder; a write until then. */
    QUEUED,
    /** Everything else (web UI, unknown paths): forwarded once with the route's budget. */
    PASSTHROUGH;

    public static final String EXPECTED = Arrays.stream(values()).map(RouteKind::configName)
                                         .collect(Collectors.joining(", ", "one of: ", ""));

    /** The name used in the config file, e.g. {@code read}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True when a request that may have reached Mist can be sent again. */
    public boolean replayable() {
        return this == READ;
    }

    /**
     * Parses a kind as the config file writes it.
     *
     * @throws IllegalArgumentException naming the kinds there are
     */
    public static RouteKind parse(String text) {
        for (RouteKind kind : values()) {
            if (kind.configName().equals(text)) {
                return kind;
            }
        }
        throw new IllegalArgumentException(Quotes.quote(text) + " is not a route kind (expected " + EXPECTED + ')');
    }
}
