package io.mistguard.proxy.route;

import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.config.CommandText;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.config.RouteMatch;
import java.util.List;

/**
 * Chooses the route of a classified request: the first route whose match accepts it. The config
 * guarantees that the last route matches everything, so every request has a route. Immutable and
 * thread-safe; matching allocates nothing unless a route matches on exact command text.
 */
public final class RouteTable {

    private final List<RouteConfig> routes;

    public RouteTable(List<RouteConfig> routes) {
        this.routes = List.copyOf(routes);
        if (this.routes.isEmpty() || !this.routes.get(this.routes.size() - 1).match().matchesAll()) {
            throw new IllegalArgumentException("routes: (expected: a catch-all route last)");
        }
    }

    public List<RouteConfig> routes() {
        return routes;
    }

    /** The index in {@link #routes()} of the route for {@code request}. */
    public int indexOf(MistRequest request) {
        for (int i = 0; i < routes.size(); i++) {
            if (matches(routes.get(i).match(), request)) {
                return i;
            }
        }
        throw new AssertionError("the last route matches everything");
    }

    /** The route for {@code request}. */
    public RouteConfig match(MistRequest request) {
        return routes.get(indexOf(request));
    }

    static boolean matches(RouteMatch match, MistRequest request) {
        if (match.method() != null && !match.method().equalsIgnoreCase(request.method())) {
            return false;
        }
        if (match.path() != null && !pathMatches(match.path(), request.path())) {
            return false;
        }
        if (match.commands() != null) {
            boolean keysMatch = match.commands().isEmpty() ? !request.hasCommand()
                    : request.hasCommand() && request.hasExactly(match.commands());
            if (!keysMatch) {
                return false;
            }
        }
        return match.command() == null
                || request.hasCommand() && match.command().equals(CommandText.compact(request.command()));
    }

    private static boolean pathMatches(String pattern, String path) {
        if (pattern.endsWith("*")) {
            return path.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return pattern.equals(path);
    }
}
