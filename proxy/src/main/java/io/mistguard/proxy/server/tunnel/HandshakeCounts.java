package io.mistguard.proxy.server.tunnel;

import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.DecisionCounts;
import io.mistguard.proxy.upstream.UpstreamFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * WebSocket upgrades that went to Mist, counted by how their handshake ended: {@code proxied} (Mist
 * answered, with its 101 or a refusal of its own), {@code cancelled} (the caller left first), or the
 * failure mistguard answered for Mist ({@code connect-refused}, {@code timeout}, {@code upstream-reset},
 * …). mistguard's own refusals before any connection to Mist are the listener's
 * ({@code mistguard_listener_refusals_total}). Exposed as {@code mistguard_websocket_handshakes_total}.
 * Found by review: a handshake that failed at Mist was counted nowhere, so a live view that Mist no
 * longer served could not be seen in metrics.
 *
 * <p>Thread-safe: counted on the event loops, read at scrape time. One per {@link UpgradeTunnel}.
 */
public final class HandshakeCounts {

    private static final List<Decision> REASONS;

    static {
        List<Decision> reasons = new ArrayList<>();
        reasons.add(Decision.PROXIED);
        for (UpstreamFailure failure : UpstreamFailure.values()) {
            reasons.add(Decision.of(failure));
        }
        REASONS = Collections.unmodifiableList(reasons);
    }

    private final DecisionCounts counts = new DecisionCounts(REASONS);

    /** Every way a handshake that went to Mist can end (closed set: each has a series from the start). */
    public static List<Decision> reasons() {
        return REASONS;
    }

    /** One more handshake that ended with {@code reason}; one outside {@link #reasons()} is not counted. */
    void add(Decision reason) {
        counts.add(reason);
    }

    /** Handshakes that ended with {@code reason} so far; 0 for one outside {@link #reasons()}. */
    public long count(Decision reason) {
        return counts.count(reason);
    }
}
