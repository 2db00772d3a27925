package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.DecisionCounts;

/**
 * Counts the proxy listener's refusals by reason ({@link Decision#listenerRefusals()}): requests it
 * answered itself before any route was chosen (malformed, too slow, too large, a command it cannot
 * read, an upgrade it does not pass), and connections over {@code limits.max_connections}. Exposed as
 * {@code mistguard_listener_refusals_total{reason}}. A refusal nobody received (the connection was
 * already closed) is not counted.
 *
 * <p>Thread-safe: counted on every event loop, read at scrape time. One per listener.
 */
public final class ListenerRefusals {

    private final DecisionCounts counts = new DecisionCounts(Decision.listenerRefusals());

    /**
     * One more refusal for {@code reason}; a decision outside {@link Decision#listenerRefusals()} is not
     * counted (it has no series), never thrown on an event loop in the middle of an answer.
     */
    void refused(Decision reason) {
        counts.add(reason);
    }

    /** Refusals for {@code reason} so far; 0 for a decision the listener never refuses with. */
    public long count(Decision reason) {
        return counts.count(reason);
    }
}
