package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Decision;
import io.netty.handler.codec.http.HttpMethod;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One line per answered request on the {@code mistguard.access} logger:
 * {@code route=get-state decision=proxied status=200 bytes=399 total_ms=3 upstream_ms=2 attempts=1
 * method=POST path=/api2}. Fields are bounded: the route name, the {@link Decision} token (a stale
 * answer adds {@code cause=<token>}) and the path, never the query string, the command or stream
 * names. Answers whose decision is an {@linkplain Decision#upstreamFault() upstream fault} (timeouts,
 * refused connections, resets, an open breaker) are logged at WARN as this one line, never with a
 * stack trace; everything else at INFO. The fields are also attached as key/value pairs, which the
 * JSON format writes as fields. Stateless; called on event loops (the shipped Logback config puts it
 * behind a non-blocking async appender).
 */
final class AccessLog {

    static final Logger LOG = LoggerFactory.getLogger("mistguard.access");

    private AccessLog() {}

    static void log(HttpMethod method, String path, Answer answer, long totalNanos) {
        log(method, path, answer.route() == null ? "-" : answer.route(), answer.decision(), answer.staleCause(),
            answer.response().status().code(), answer.response().content().readableBytes(),
            Math.max(0, answer.attempts()), totalNanos, answer.upstreamNanos());
    }

    /** The line of a WebSocket upgrade, once its handshake is decided ({@code route=websocket}). */
    static void logUpgrade(HttpMethod method, String path, int status, Decision decision, long totalNanos) {
        log(method, path, "websocket", decision, null, status, 0, 1, totalNanos, totalNanos);
    }

    private static void log(HttpMethod method, String path, String route, Decision decision, Decision cause,
                            int status, int bytes, int attempts, long totalNanos, long upstreamNanos) {
        boolean fault = decision.upstreamFault();
        if (!(fault ? LOG.isWarnEnabled() : LOG.isInfoEnabled())) {
            return;
        }
        long totalMs = TimeUnit.NANOSECONDS.toMillis(totalNanos);
        long upstreamMs = upstreamNanos < 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(upstreamNanos);
        LoggingEventBuilder event = fault ? LOG.atWarn() : LOG.atInfo();
        event.addKeyValue("route", route).addKeyValue("decision", decision.token());
        if (cause != null) {
            event.addKeyValue("cause", cause.token());
        }
        event.addKeyValue("status", status).addKeyValue("bytes", bytes).addKeyValue("total_ms", totalMs)
             .addKeyValue("upstream_ms", upstreamMs).addKeyValue("attempts", attempts)
             .addKeyValue("method", method.name()).addKeyValue("path", path);
        if (cause == null) {
            event.log("route={} decision={} status={} bytes={} total_ms={} upstream_ms={} attempts={} method={} path={}",
                      route, decision.token(), status, bytes, totalMs, upstreamMs, attempts, method.name(), path);
        } else {
            event.log("route={} decision={} cause={} status={} bytes={} total_ms={} upstream_ms={} attempts={} "
                      + "method={} path={}", route, decision.token(), cause.token(), status, bytes, totalMs,
                      upstreamMs, attempts, method.name(), path);
        }
    }
}
