package io.mistguard.proxy.config.yaml;

import io.mistguard.proxy.config.Durations;
import io.mistguard.proxy.config.ReadCaching;
import io.mistguard.proxy.config.RouteKind;
import io.mistguard.proxy.config.RouteMatch;
import java.time.Duration;
import java.util.Optional;

/**
 * The schema of a route's {@code stale: {max_age, while_revalidate}}, {@code fresh_for} and
 * {@code coalesce} keys, with the rules that involve the route's kind and match. Stateless.
 *
 * <p>The keys are read even where they are not allowed, so that the problem names the key that is
 * wrong instead of calling it unknown.
 */
final class ReadCachingBinder {

    /** The command that feeds catalyst-api's read-modify-write of the trigger map (mist-api.md §3). */
    private static final String CONFIG_READ = "{\"config\":{}}";

    private ReadCachingBinder() {}

    static ReadCaching bind(ConfigMapping m, Optional<RouteKind> kind, RouteMatch match) {
        boolean read = kind.orElse(RouteKind.READ) == RouteKind.READ;
        Optional<ConfigValue> staleValue = m.value("stale");
        boolean[] maxAgeWritten = {true}; // stays true when stale is absent or not a mapping
        Duration[] stale = staleValue.flatMap(v -> v.asMapping(s -> {
            maxAgeWritten[0] = s.has("max_age");
            return new Duration[] {s.duration("max_age", null, false), s.duration("while_revalidate", Duration.ZERO, true)};
        })).orElse(new Duration[] {null, Duration.ZERO});
        if (!maxAgeWritten[0]) {
            // Only when the key is absent: a max_age written wrongly already has its problem.
            m.problemAt("stale.max_age", "missing (expected: the oldest answer served stale, like 10s)");
        }
        Duration freshFor = m.duration("fresh_for", Duration.ZERO, true);
        Optional<ConfigValue> coalesceValue = m.value("coalesce");
        boolean coalesce = coalesceValue.flatMap(ConfigValue::asBoolean).orElse(read);
        if (!read) {
            for (String key : new String[] {"stale", "fresh_for", "coalesce"}) {
                if (m.value(key).isPresent()) {
                    m.problemAt(key, "only read routes can be answered from the cache or share a call"
                                     + " (expected: kind: read, or no " + key + ')');
                }
            }
            return ReadCaching.NONE;
        }
        boolean stores = stale[0] != null || !freshFor.isZero();
        if (stores && mayMatchConfigRead(match)) {
            m.problemAt(staleValue.isPresent() ? "stale" : "fresh_for", "{\"config\":{}} must never be answered"
                        + " from the cache: catalyst-api rewrites the whole trigger map from it (expected: no stale"
                        + " and no fresh_for on this route)");
            return new ReadCaching(null, Duration.ZERO, Duration.ZERO, coalesce);
        }
        if (stale[0] != null && m.valid("stale") && m.valid("fresh_for")
                && freshFor.plus(stale[1]).compareTo(stale[0]) > 0) {
            m.problemAt("stale.max_age", Durations.format(stale[0]) + " is shorter than fresh_for + while_revalidate ("
                        + Durations.format(freshFor.plus(stale[1])) + "), so an answer would be served past it"
                        + " (expected: max_age >= fresh_for + while_revalidate)");
            return new ReadCaching(null, Duration.ZERO, freshFor, coalesce);
        }
        // Without max_age (already reported) there is no stale window for while_revalidate to extend.
        return new ReadCaching(stale[0], stale[0] == null ? Duration.ZERO : stale[1], freshFor, coalesce);
    }

    /**
     * True when the route is meant for {@code {"config":{}}}: it names that command or the key config.
     * (Whatever the route, a command with a {@code config} key is never cached at run time either.)
     */
    private static boolean mayMatchConfigRead(RouteMatch match) {
        return CONFIG_READ.equals(match.command()) || match.commands() != null && match.commands().contains("config");
    }
}
