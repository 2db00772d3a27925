package io.mistguard.proxy.trigger;

import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.logging.AccessLine;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per trigger request answered by the trigger listener, on the {@code mistguard.access}
 * logger beside the proxy's lines: {@code route=trigger:USER_NEW decision=last-known cause=timeout
 * status=200 bytes=4 total_ms=1001 upstream_ms=1000 attempts=1 method=POST path=/api/mist/trigger}.
 * So an operator sees every trigger decided without catalyst-api, and why.
 *
 * <p>Fields are bounded: the trigger's metric tag (a configured name or {@code other}), the
 * {@link Decision} tokens, numbers, the method and the path without its query — never the payload
 * (stream names, addresses, session ids, URLs with tokens) nor any other header. A fallback, a
 * last-known answer or a refusal is logged at WARN (Mist got mistguard's answer, not catalyst-api's);
 * catalyst-api's own answer and a queued trigger at INFO. The fields are also key/value pairs, which
 * the JSON format writes as fields ({@link AccessLine}, which makes the event). Stateless; called on
 * event loops (the shipped Logback config puts the logger behind a non-blocking appender).
 */
final class TriggerAccessLog {

    static final Logger LOG = LoggerFactory.getLogger("mistguard.access");
    /** The route field's prefix: trigger lines never share a route name with the proxy's. */
    static final String ROUTE_PREFIX = "trigger:";
    private static final int MAX_PATH = 256;

    private TriggerAccessLog() {}

    static void log(String tag, Decision decision, Decision cause, int status, long bytes, int attempts,
                    long totalNanos, long upstreamNanos, String method, String uri) {
        boolean warn = decision != Decision.PROXIED && decision != Decision.QUEUED;
        if (!(warn ? LOG.isWarnEnabled() : LOG.isInfoEnabled())) {
            return; // before the route and path are built
        }
        AccessLine.log(LOG, warn, ROUTE_PREFIX + tag, decision.token(), cause == null ? null : cause.token(), status,
                       bytes, TimeUnit.NANOSECONDS.toMillis(Math.max(0, totalNanos)),
                       TimeUnit.NANOSECONDS.toMillis(Math.max(0, upstreamNanos)), Math.max(0, attempts), method,
                       path(uri));
    }

    /** The request path without query or fragment, cut to a bounded length. */
    static String path(String uri) {
        if (uri == null) {
            return "-";
        }
        int end = uri.length();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        end = Math.min(end, MAX_PATH);
        StringBuilder out = new StringBuilder(end);
        for (int i = 0; i < end; i++) {
            char c = uri.charAt(i);
            out.append(c < 0x21 || c > 0x7e ? '_' : c); // never a line break or a blank into the line
        }
        return out.length() == 0 ? "-" : out.toString();
    }
}
