package io.mistguard.proxy.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/**
 * Each route's budget as the running mistguard reports it ({@code /admin/routes}, defaults merged):
 * a route's {@code timeout_ms}; for the queued route, the budget of what it still sends to Mist
 * ({@code when_sent_to_mist}), since its own answers come at once. For the trigger listener, a
 * blocking trigger's {@code timeout_ms}, a name without a policy of its own the default ({@code *})
 * one's, and a non-blocking trigger (answered at once) the shortest blocking timeout. Immutable.
 */
final class Budgets {

    private final Map<String, Long> millis;

    private Budgets(Map<String, Long> millis) {
        this.millis = Map.copyOf(millis);
    }

    static Budgets of(JsonNode routesDocument) {
        Map<String, Long> m = new HashMap<>();
        for (JsonNode r : routesDocument.path("routes")) {
            JsonNode policy = r.has("when_sent_to_mist") ? r.get("when_sent_to_mist") : r;
            m.put(r.get("name").asText(), policy.get("timeout_ms").asLong());
        }
        long shortestTrigger = Long.MAX_VALUE;
        for (JsonNode t : routesDocument.path("triggers").path("routes")) {
            if (t.has("timeout_ms")) {
                shortestTrigger = Math.min(shortestTrigger, t.get("timeout_ms").asLong());
            }
        }
        for (JsonNode t : routesDocument.path("triggers").path("routes")) {
            m.put("trigger:" + t.get("trigger").asText(),
                    t.has("timeout_ms") ? t.get("timeout_ms").asLong() : shortestTrigger);
        }
        return new Budgets(m);
    }

    /** The budget of {@code route}, shortened by the caller's own deadline when it set one (0 = none). */
    long millis(String route, long callerDeadlineMillis) {
        Long budget = millis.get(route);
        if (budget == null && route.startsWith("trigger:")) {
            budget = millis.get("trigger:*");
        }
        if (budget == null) {
            throw new IllegalArgumentException("no budget for route " + route + " in " + millis.keySet());
        }
        return callerDeadlineMillis > 0 ? Math.min(budget, callerDeadlineMillis) : budget;
    }

    /** The longest budget of any route or trigger. */
    long longest() {
        return millis.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    Map<String, Long> all() {
        return millis;
    }
}
