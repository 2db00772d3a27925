package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.AnswerContent;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.logging.AccessLine;
import io.mistguard.proxy.exchange.SentBody;
import io.mistguard.proxy.server.tunnel.HandshakeOutcome;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per answered request on the {@code mistguard.access} logger, whether mistguard forwarded
 * it or refused it (a malformed or oversized request, a body or head that came too slowly, a command
 * it cannot read):
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
     * The line of an answer whose write has settled (call before the response is written: its status
     * is read here; the body's bytes are counted by {@link SentBody}). Not {@code written} (the caller
     * was gone before the answer was written whole: the connection closed or reset), the line says
     * {@code status=499} ({@link AccessLine#CALLER_GONE_STATUS}), nginx's "client closed request", and
     * {@code bytes} the body's bytes the socket took before, never the status of an answer nobody got
     * whole.
     *
     * @param method the request's method, or {@code null} when no request head was read (logged {@code -})
     * @param path the request's path without its query ({@link #path}), or {@code null} as for method
     * @param totalNanos from the request's arrival to its answer; 0 for a refusal made on arrival
     * @param bodyBytesSent the body's bytes sent: all of them when written ({@link SentBody#settle})
     */
    static void log(HttpMethod method, String path, Answer answer, long totalNanos, int status, boolean written,
                    long bodyBytesSent) {
        Decision cause = answer.staleCause();
        long upstreamNanos = answer.upstreamNanos();
        Decision decision = answer.decision();
        AccessLine.log(LOG, decision.upstreamFault(), answer.route() == null ? "-" : answer.route(), decision.token(),
                       cause == null ? null : cause.token(), AccessLine.status(status, written), bodyBytesSent,
                       TimeUnit.NANOSECONDS.toMillis(Math.max(0, totalNanos)),
                       upstreamNanos < 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(upstreamNanos),
                       Math.max(0, answer.attempts()), method == null ? "-" : method.name(), path == null ? "-" : path);
    }

    /**
     * The line of mistguard's refusal of {@code request} (a request still arriving, or one it will not
     * forward), with no route and no upstream time, written once the refusal's write settles: the
     * listener to add to that write. Call before the refusal is written (its status and body are read
     * here). A refusal's body rides with its head, so a write that failed sent none of it (status 499,
     * as {@link #log(HttpMethod, String, Answer, long, int, boolean, long)}).
     *
     * @param request the refused request's head, or {@code null} when none was read (logged {@code -})
     */
    static ChannelFutureListener onceRefusalSent(HttpRequest request, Answer answer, long totalNanos) {
        HttpMethod method = request == null ? null : request.method();
        boolean headRequest = HttpMethod.HEAD.equals(method);
        String path = request == null ? null : path(request.uri());
        int status = answer.response().status().code();
        long bytes = AnswerContent.bytesSent(answer.response(), headRequest);
        return written -> log(method, path, answer, totalNanos, status, written.isSuccess(),
                              written.isSuccess() ? bytes : 0);
    }

    /**
     * The line of a request the caller sent and then left before it was taken up: one it pipelined
     * behind the request being answered, still held when the connection closed. Nothing was decided
     * for it: {@code route=-}, {@code cancelled}, {@code status=499 bytes=0}, no time (its arrival is
     * not kept while it waits).
     */
    static void logAbandoned(HttpRequest request) {
        AccessLine.log(LOG, Decision.CANCELLED.upstreamFault(), "-", Decision.CANCELLED.token(), null,
                       AccessLine.CALLER_GONE_STATUS, 0, 0, 0, 0, request.method().name(), path(request.uri()));
    }

    /** The path of {@code uri} without its query string: bounded, and free of stream names and tokens. */
    static String path(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    /**
     * The line of a WebSocket upgrade, once its handshake is decided ({@code route=websocket}); its
     * {@code bytes} is the body of the answer to the upgrade (none for a 101, Mist's when it declined,
     * mistguard's when it refused), by the same rule as {@link #log}; one attempt at Mist lasting the
     * whole handshake, or none when mistguard refused the upgrade itself ({@link Decision#listenerRefusals()}).
     */
    static void logUpgrade(HttpMethod method, String path, HandshakeOutcome outcome, long totalNanos) {
        long totalMs = TimeUnit.NANOSECONDS.toMillis(totalNanos);
        Decision decision = outcome.decision();
        // the caller left during the handshake, or before its answer was written whole: 499, and what it took
        boolean callerGone = decision == Decision.CANCELLED;
        int status = callerGone ? AccessLine.CALLER_GONE_STATUS : outcome.status().code();
        int bytes = AnswerContent.isSent(status, HttpMethod.HEAD.equals(method)) ? outcome.bodyBytes() : 0;
        // mistguard's own refusal of the upgrade never reached Mist: no attempt, no time at Mist (found by
        // review: it was logged as one attempt that took the whole time).
        boolean reachedMist = !Decision.listenerRefusals().contains(decision);
        AccessLine.log(LOG, decision.upstreamFault(), "websocket", decision.token(), null, status, bytes, totalMs,
                       reachedMist ? totalMs : 0, reachedMist ? 1 : 0, method.name(), path);
    }
}
