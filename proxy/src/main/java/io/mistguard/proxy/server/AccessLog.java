package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.Decisions;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One line per answered request on the {@code mistguard.access} logger:
 * {@code route=get-state decision=proxied status=200 bytes=399 total_ms=3 upstream_ms=2 attempts=1
 * method=POST path=/api2}. Fields are bounded: the route name and the path, never the query string,
 * the command or stream names. Upstream faults mistguard expects (timeouts, refused connections,
 * resets) are logged at WARN as this one line, never with a stack trace; everything else at INFO.
 * The fields are also attached as key/value pairs, which the JSON format writes as fields.
 * Stateless; called on event loops (the shipped Logback config puts it behind a non-blocking async
 * appender).
 */
final class AccessLog {

    static final Logger LOG = LoggerFactory.getLogger("mistguard.access");
    private static final String REJECTED = "rejected; reason=";
    private static final Set<String> UPSTREAM_FAULTS = Set.of("timeout", "connect-refused", "connect-timeout",
            "upstream-reset", "bad-response", "response-too-large", "breaker-open");

    private AccessLog() {}

    static void log(HttpMethod method, String path, FullHttpResponse response, long totalNanos, long upstreamNanos) {
        log(method, path, orDash(response.headers().get("Mistguard-Route")),
            decision(response.headers().get(Decisions.HEADER)), response.status().code(),
            response.content().readableBytes(), response.headers().get("Mistguard-Attempts", "0"), totalNanos,
            upstreamNanos);
    }

    /** The line of a WebSocket upgrade, once its handshake is decided ({@code route=websocket}). */
    static void logUpgrade(HttpMethod method, String path, int status, String decisionHeader, long totalNanos) {
        log(method, path, "websocket", decision(decisionHeader), status, 0, "1", totalNanos, totalNanos);
    }

    private static void log(HttpMethod method, String path, String route, String decision, int status, int bytes,
                            String attempts, long totalNanos, long upstreamNanos) {
        boolean fault = UPSTREAM_FAULTS.contains(decision);
        if (!(fault ? LOG.isWarnEnabled() : LOG.isInfoEnabled())) {
            return;
        }
        long totalMs = TimeUnit.NANOSECONDS.toMillis(totalNanos);
        long upstreamMs = upstreamNanos < 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(upstreamNanos);
        LoggingEventBuilder event = fault ? LOG.atWarn() : LOG.atInfo();
        event.addKeyValue("route", route).addKeyValue("decision", decision).addKeyValue("status", status)
             .addKeyValue("bytes", bytes).addKeyValue("total_ms", totalMs).addKeyValue("upstream_ms", upstreamMs)
             .addKeyValue("attempts", attempts).addKeyValue("method", method.name()).addKeyValue("path", path)
             .log("route={} decision={} status={} bytes={} total_ms={} upstream_ms={} attempts={} method={} path={}",
                  route, decision, status, bytes, totalMs, upstreamMs, attempts, method.name(), path);
    }

    /** {@code proxied}, {@code queued}, or the reason of a rejection ({@code timeout}, ...). */
    static String decision(String header) {
        if (header == null) {
            return "-";
        }
        return header.startsWith(REJECTED) ? header.substring(REJECTED.length()) : header;
    }

    private static String orDash(String value) {
        return value == null ? "-" : value;
    }
}
