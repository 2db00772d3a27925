package io.mistguard.proxy.admin;

import io.mistguard.proxy.time.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener's WARN line for a request it refused before acting on it — a missing or wrong
 * token (401), another site's page or a foreign {@code Host} (403) — so that failed attempts at the
 * breaker overrides and the reload leave a trace. Found by review: they were answered without a word.
 * At most one line per {@value #QUIET_SECONDS} s, which says how many were refused since the last
 * one, so a flood of guesses cannot fill the log. The line names the peer, the method and the path,
 * never the query, the token or any other header. Thread-safe: refusals may come from any event loop.
 */
final class RefusalLine {

    private static final Logger log = LoggerFactory.getLogger(RefusalLine.class);
    /** The quiet time between two lines, in seconds. */
    static final long QUIET_SECONDS = 10;
    private static final long NEVER = Long.MIN_VALUE;

    private final Ticker ticker;
    private final AtomicLong lastLine = new AtomicLong(NEVER);
    private final AtomicLong unlogged = new AtomicLong();

    RefusalLine(Ticker ticker) {
        this.ticker = ticker;
    }

    /**
     * A request was refused.
     *
     * @param status the status it got (401 or 403)
     * @param why what was wrong, without any secret
     */
    void refused(int status, String why, String client, String method, String path) {
        long now = ticker.nanoTime();
        long last = lastLine.get();
        if (last != NEVER && now - last < TimeUnit.SECONDS.toNanos(QUIET_SECONDS) || !lastLine.compareAndSet(last, now)) {
            unlogged.incrementAndGet();
            return;
        }
        long more = unlogged.getAndSet(0);
        log.warn("admin {}: refused {} {} with {}: {}{}", client, method, path, status, why,
                 more == 0 ? "" : " (and " + more + " more refused in the " + QUIET_SECONDS + " s before)");
    }
}
