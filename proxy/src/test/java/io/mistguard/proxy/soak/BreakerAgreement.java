package io.mistguard.proxy.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that every breaker's state in {@code /admin/breakers} is the one {@code /metrics} reports
 * ({@code mistguard_breaker_state}, and {@code mistguard_trigger_breaker_state} for catalyst-api's):
 * 0 closed, 1 open, 2 half-open, an operator's override winning, as {@code BreakerSnapshot} defines.
 *
 * <p>Breakers change state under chaos between two reads, so the scrape is read between two admin
 * reads and compared only for breakers whose state both admin reads agree on. A disagreement counts
 * when it shows twice in a row that way: a gauge bound to the wrong breaker, or left behind by a
 * reload, disagrees every time; a state that flipped and flipped back within a few milliseconds does
 * not. Not thread-safe: the soak's monitor runs it.
 */
final class BreakerAgreement {

    private static final String TRIGGER_BREAKER = "catalyst-api";

    private final AdminClient admin;
    private final Invariants invariants;

    BreakerAgreement(AdminClient admin, Invariants invariants) {
        this.admin = admin;
        this.invariants = invariants;
    }

    /** One check per breaker; throws when the admin listener cannot be read. */
    void check() throws IOException {
        Map<String, String> first = disagreements();
        if (first.isEmpty()) {
            return;
        }
        Map<String, String> again = disagreements();
        first.forEach((name, detail) -> invariants.check(Invariants.BREAKERS, !again.containsKey(name),
                () -> detail + "; again: " + again.get(name)));
    }

    /** Breakers whose admin state, stable across the scrape, differs from the gauge; counts the agreeing ones. */
    private Map<String, String> disagreements() throws IOException {
        Map<String, Integer> before = states(admin.breakers());
        String scrape = admin.metrics();
        Map<String, Integer> after = states(admin.breakers());
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> b : before.entrySet()) {
            if (!b.getValue().equals(after.get(b.getKey()))) {
                continue; // it changed while we looked
            }
            Double gauge = gauge(scrape, b.getKey());
            if (gauge != null && gauge.intValue() == b.getValue()) {
                invariants.check(Invariants.BREAKERS, true, () -> "");
            } else {
                out.put(b.getKey(), "breaker " + b.getKey() + ": /admin/breakers says " + b.getValue()
                        + ", /metrics says " + gauge);
            }
        }
        return out;
    }

    private static Map<String, Integer> states(JsonNode document) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (JsonNode b : document.path("breakers")) {
            String forced = b.path("forced").asText("none");
            int state = switch (b.path("state").asText()) {
                case "open" -> 1;
                case "half_open" -> 2;
                default -> 0;
            };
            out.put(b.get("name").asText(), forced.equals("none") ? state : forced.equals("open") ? 1 : 0);
        }
        return out;
    }

    private static Double gauge(String scrape, String breaker) {
        Pattern p = breaker.equals(TRIGGER_BREAKER)
                ? Pattern.compile("(?m)^mistguard_trigger_breaker_state(?:\\{[^}]*})? (\\S+)$")
                : Pattern.compile("(?m)^mistguard_breaker_state\\{[^}]*breaker=\"" + Pattern.quote(breaker)
                        + "\"[^}]*} (\\S+)$");
        Matcher m = p.matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : null;
    }
}
