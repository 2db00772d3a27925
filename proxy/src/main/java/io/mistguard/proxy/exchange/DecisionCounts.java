package io.mistguard.proxy.exchange;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A counter per decision of a closed set, for a metric whose every series is exposed from the start
 * ({@code mistguard_listener_refusals_total}, {@code mistguard_websocket_handshakes_total}). A
 * decision outside the set is not counted and never thrown for: it is added on an event loop in the
 * middle of an answer. Thread-safe: added to on every event loop, read at scrape time.
 */
public final class DecisionCounts {

    private final Map<Decision, LongAdder> counts = new EnumMap<>(Decision.class);

    /** @param decisions the closed set counted */
    public DecisionCounts(Collection<Decision> decisions) {
        for (Decision decision : decisions) {
            counts.put(decision, new LongAdder());
        }
    }

    /** One more for {@code decision}; nothing for one outside the set. */
    public void add(Decision decision) {
        LongAdder count = counts.get(decision);
        if (count != null) {
            count.increment();
        }
    }

    /** How many so far for {@code decision}; 0 for one outside the set. */
    public long count(Decision decision) {
        LongAdder count = counts.get(decision);
        return count == null ? 0 : count.sum();
    }
}
