package io.mistguard.proxy.config.yaml;

import io.mistguard.proxy.config.CommandText;
import io.mistguard.proxy.config.Quotes;
import io.mistguard.proxy.config.RouteMatch;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** The schema of a route's {@code match}: {@code method}, {@code path}, {@code commands}, {@code command}. */
final class RouteMatchBinder {

    private static final Pattern METHOD = Pattern.compile("[A-Z]+");

    private RouteMatchBinder() {}

    static RouteMatch bind(ConfigMapping m) {
        String method = m.value("method").flatMap(v -> v.scalar("a method", "an HTTP method like GET or POST",
                                                                RouteMatchBinder::method)).orElse(null);
        String path = m.value("path").flatMap(v -> v.scalar("a path", "/exact, /prefix* or *",
                                                            RouteMatchBinder::path)).orElse(null);
        Set<String> commands = m.value("commands").flatMap(ConfigValue::asList).map(RouteMatchBinder::keys)
                                .orElse(null);
        String command = m.value("command").flatMap(v -> v.scalar("a command", "a JSON object like {\"config\":{}}",
                                                                  RouteMatchBinder::command)).orElse(null);
        return new RouteMatch(method, path, commands, command);
    }

    private static Set<String> keys(List<ConfigValue> items) {
        Set<String> keys = new LinkedHashSet<>();
        for (ConfigValue item : items) {
            item.asString().ifPresent(key -> {
                if (!keys.add(key)) {
                    item.problem('"' + key + "\" is listed twice (expected: each command key once)");
                }
            });
        }
        return keys;
    }

    private static String method(String text) {
        String upper = text.toUpperCase(Locale.ROOT);
        if (!METHOD.matcher(upper).matches()) {
            throw new IllegalArgumentException(Quotes.quote(text) + " is not an HTTP method (expected: GET, POST, ...)");
        }
        return upper;
    }

    private static String path(String text) {
        if (!text.equals("*") && !text.startsWith("/")) {
            throw new IllegalArgumentException(Quotes.quote(text) + " is not a path (expected: /exact, /prefix* or *)");
        }
        if (text.indexOf('*') >= 0 && text.indexOf('*') != text.length() - 1) {
            throw new IllegalArgumentException(Quotes.quote(text) + " has a * before its end (expected: only a "
                                               + "trailing *, like /koekjes*)");
        }
        return text;
    }

    private static String command(String text) {
        String compact = CommandText.compact(text);
        if (!compact.startsWith("{") || !compact.endsWith("}")) {
            throw new IllegalArgumentException(Quotes.quote(text) + " is not a JSON object (expected: like {\"config\":{}})");
        }
        return compact;
    }
}
