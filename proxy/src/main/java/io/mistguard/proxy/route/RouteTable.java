package io.mistguard.proxy.route;

import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.config.CommandText;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.config.RouteMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Chooses the route of a classified request: the first route whose match accepts it. The config
 * guarantees that the last route matches everything, so every request has a route. Immutable and
 * thread-safe; matching allocates nothing unless a request's key set equals that of a route matching
 * on exact command text (only then is the request's command text compacted to compare).
 */
public final class RouteTable {

    private final List<RouteConfig> routes;
    /** Per route, the key set of its exact {@code command} match, or {@code null}; computed once. */
    private final List<Set<String>> commandKeys = new ArrayList<>();
    /**
     * The indices, ascending, of the routes a request without a Mist command can match (the others
     * all require one): such a request, the catch-all's usual one, is tried against these only.
     */
    private final int[] commandless;

    public RouteTable(List<RouteConfig> routes) {
        this.routes = List.copyOf(routes);
        if (this.routes.isEmpty() || !this.routes.get(this.routes.size() - 1).match().matchesAll()) {
            throw new IllegalArgumentException("routes: (expected: a catch-all route last)");
        }
        for (RouteConfig route : this.routes) {
            String command = route.match().command();
            commandKeys.add(command == null ? null : CommandClassifier.topLevelKeys(command));
        }
        this.commandless = IntStream.range(0, this.routes.size())
                .filter(i -> !requiresCommand(this.routes.get(i).match())).toArray();
    }

    /** Whether {@code match} holds only for requests that carry a Mist command. */
    private static boolean requiresCommand(RouteMatch match) {
        return match.command() != null || match.commands() != null && !match.commands().isEmpty();
    }

    public List<RouteConfig> routes() {
        return routes;
    }

    /** The index in {@link #routes()} of the route for {@code request}. */
    public int indexOf(MistRequest request) {
        if (!request.hasCommand()) {
            for (int i : commandless) {
                if (matches(routes.get(i).match(), commandKeys.get(i), request)) {
                    return i;
                }
            }
            throw new AssertionError("the last route matches everything");
        }
        for (int i = 0; i < routes.size(); i++) {
            if (matches(routes.get(i).match(), commandKeys.get(i), request)) {
                return i;
            }
        }
        throw new AssertionError("the last route matches everything");
    }

    /** The route for {@code request}. */
    public RouteConfig match(MistRequest request) {
        return routes.get(indexOf(request));
    }

    private static boolean matches(RouteMatch match, Set<String> commandKeys, MistRequest request) {
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
                || request.hasCommand() && commandKeys != null && request.hasExactly(commandKeys)
                   && match.command().equals(CommandText.compact(request.command()));
    }

    private static boolean pathMatches(String pattern, String path) {
        int last = pattern.length() - 1;
        if (last >= 0 && pattern.charAt(last) == '*') {
            return path.regionMatches(0, pattern, 0, last); // a prefix, without a substring per request
        }
        return pattern.equals(path);
    }
}
