package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.AnswerContent;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.logging.AccessLine;
import io.netty.handler.codec.http.HttpMethod;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per answered request on the {@code mistguard.access} logger:
 * {@code route=get-state decision=proxied status=200 bytes=399 total_ms=3 upstream_ms=2 attempts=1
 * method=POST path=/api2}. Fields are bounded: the route name, the {@link Decision} token (a stale
 * answer adds {@code cause=<token>}) and the path, never the query string, the command or stream
 * names. Answers whose decision is an {@linkplain Decision#upstreamFault() upstream fault} (timeouts,
 * refused connections, resets, an open breaker) are logged at WARN as this one line, never with a
 * stack trace; everything else at INFO. The fields are also attached as key/value pairs, which the
 * JSON format writes as fields ({@link AccessLine}, which makes the event). Stateless; called on event
 * loops (the shipped Logback config puts it behind a non-blocking batching appender).
 */
final class AccessLog {

    static final Logger LOG = LoggerFactory.getLogger("mistguard.access");

    private AccessLog() {}

    /**
     * The line of an answered request; {@code bytes} is what the caller gets of the answer's body: 0
     * for an answer that may carry none ({@link AnswerContent}), whatever the answer holds.
     */
    static void log(HttpMethod method, boolean headRequest, String path, Answer answer, long totalNanos) {
        Decision cause = answer.staleCause();
        long upstreamNanos = answer.upstreamNanos();
        Decision decision = answer.decision();
        AccessLine.log(LOG, decision.upstreamFault(), answer.route() == null ? "-" : answer.route(), decision.token(),
                       cause == null ? null : cause.token(), answer.response().status().code(),
                       AnswerContent.bytesSent(answer.response(), headRequest), TimeUnit.NANOSECONDS.toMillis(totalNanos),
                       upstreamNanos < 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(upstreamNanos),
                       Math.max(0, answer.attempts()), method.name(), path);
    }

    /** The line of a WebSocket upgrade, once its handshake is decided ({@code route=websocket}). */
    static void logUpgrade(HttpMethod method, String path, int status, Decision decision, long totalNanos) {
        long totalMs = TimeUnit.NANOSECONDS.toMillis(totalNanos);
        AccessLine.log(LOG, decision.upstreamFault(), "websocket", decision.token(), null, status, 0, totalMs,
                       totalMs, 1, method.name(), path);
    }
}
