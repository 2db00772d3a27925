package io.mistguard.proxy.config;

import java.util.Set;

/**
 * Which requests a route takes. Every part is optional; an absent part matches anything, so
 * {@code RouteMatch.ANY} is the catch-all.
 *
 * @param method an HTTP method such as {@code GET}, or {@code null} for any
 * @param path an exact path ({@code /api2}), a prefix ending in {@code *} ({@code /koekjes*}), or
 *             {@code null} for any
 * @param commands the exact set of top-level keys of the Mist command; empty means "no command";
 *                 {@code null} for any
 * @param command the exact command JSON (whitespace outside strings ignored), for the one case
 *                where the key set is not enough: {@code {"config":{}}} reads, any other
 *                {@code config} writes. {@code null} for any
 */
public record RouteMatch(String method, String path, Set<String> commands, String command) {

    /** Matches every request. */
    public static final RouteMatch ANY = new RouteMatch(null, null, null, null);

    public RouteMatch {
        commands = commands == null ? null : Set.copyOf(commands);
        if (path != null && !path.startsWith("/") && !path.equals("*")) {
            throw new IllegalArgumentException("path: " + path + " (expected: starts with /, or *)");
        }
    }

    /** True when this matches every request: nothing after it can ever be chosen. */
    public boolean matchesAll() {
        return method == null && (path == null || path.equals("*")) && commands == null && command == null;
    }

    /** A match on the command key set alone. */
    public static RouteMatch commands(String... keys) {
        return new RouteMatch(null, null, Set.of(keys), null);
    }
}
