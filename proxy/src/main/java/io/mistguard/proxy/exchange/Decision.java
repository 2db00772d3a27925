package io.mistguard.proxy.exchange;

import io.mistguard.proxy.net.BodyRefusal;
import io.mistguard.proxy.upstream.UpstreamFailure;
import java.util.Arrays;
import java.util.List;

/**
 * How mistguard answered a request: the closed set of decisions and the reasons they name. Each
 * decides here, once, its token — the text of the {@code Mistguard-Decision} header, of the access
 * log's {@code decision} field and of the {@code reason} tag of {@code mistguard_decisions_total} —
 * and whether it is counted per route and logged as an upstream fault.
 *
 * <p>Header forms (design.md): {@code proxied}, {@code coalesced}, {@code cached}, {@code queued};
 * {@code stale; reason=<cause>} for a last-known-good answer, where the cause is the decision of the
 * call that failed, {@link #UPSTREAM_5XX}, {@link #MALFORMED_REPLY} or {@link #REVALIDATING}; and
 * {@code rejected; reason=<token>} when mistguard answered itself instead of Mist.
 *
 * <p>The trigger listener (Mist → catalyst-api, mist-api.md §5) adds {@code fallback; reason=<cause>}
 * and {@code last-known; reason=<cause>}: a 200 answered to Mist in place of catalyst-api's, because
 * the call for it failed with that cause. Those decisions, and {@link #TRIGGER_QUEUE_FULL}, are
 * {@linkplain #perTrigger() trigger decisions} and never counted per route. Immutable.
 */
public enum Decision {

    /** Mist's own answer, passed through unchanged. */
    PROXIED("proxied", Kind.MIST),
    /** Mist's answer to an identical read in flight, which this caller joined. */
    COALESCED("coalesced", Kind.MIST),
    /** A stored reply within the route's {@code fresh_for}: Mist was not asked. */
    CACHED("cached", Kind.STORED),
    /** A last-known-good reply, because the call for this request failed (or is being refreshed). */
    STALE("stale", Kind.STORED),
    /** An invalidation taken by the queue and answered at once with Mist's own minimal reply. */
    QUEUED("queued", Kind.QUEUED),

    /** The route's own budget ran out: counted against Mist. */
    TIMEOUT(UpstreamFailure.TIMEOUT.reason(), Kind.REJECTED, true),
    /**
     * The caller's own deadline ({@code Mistguard-Timeout-Ms}, {@code x-envoy-expected-rq-timeout-ms}),
     * shorter than the route's budget, ran out first; says nothing about Mist and is never recorded
     * by a breaker.
     */
    CALLER_DEADLINE("caller-deadline", Kind.REJECTED),
    /** Mist refused the connection. */
    CONNECT_REFUSED(UpstreamFailure.CONNECT_REFUSED.reason(), Kind.REJECTED, true),
    /** No connection to Mist within the connect timeout. */
    CONNECT_TIMEOUT(UpstreamFailure.CONNECT_TIMEOUT.reason(), Kind.REJECTED, true),
    /** Mist's connection closed or was reset before a complete answer. */
    UPSTREAM_RESET(UpstreamFailure.RESET.reason(), Kind.REJECTED, true),
    /** Mist's bytes were not a valid HTTP response. */
    BAD_RESPONSE(UpstreamFailure.BAD_RESPONSE.reason(), Kind.REJECTED, true),
    /** Mist's answer was larger than {@code upstream.max_response_bytes}. */
    RESPONSE_TOO_LARGE(UpstreamFailure.RESPONSE_TOO_LARGE.reason(), Kind.REJECTED, true),
    /**
     * mistguard had no memory left to hold Mist's answer (or to send the request): 503, not counted
     * against Mist ({@link UpstreamFailure#OUT_OF_MEMORY}).
     */
    OUT_OF_MEMORY(UpstreamFailure.OUT_OF_MEMORY.reason(), Kind.REJECTED),
    /** The caller went away first. */
    CANCELLED(UpstreamFailure.CANCELLED.reason(), Kind.REJECTED),
    /** The route's breaker is open, or its half-open trials are all out. */
    BREAKER_OPEN("breaker-open", Kind.REJECTED, true),
    /** The admission queue was full. */
    OVERLOAD("overload", Kind.REJECTED),
    /** No admission slot within the queue timeout. */
    QUEUE_TIMEOUT("queue-timeout", Kind.REJECTED),
    /** The invalidation queue holds its maximum of distinct names. */
    INVALIDATION_QUEUE_FULL("invalidation-queue-full", Kind.REJECTED),
    /** The invalidation queue is shutting down with this process. */
    INVALIDATION_QUEUE_SHUTTING_DOWN("invalidation-queue-shutting-down", Kind.REJECTED),
    /** A name in an {@code invalidate_sessions} command is not a stream name Mist would accept. */
    INVALID_STREAM_NAME("invalid-stream-name", Kind.REJECTED),

    /**
     * A trigger answered with its configured fallback ({@code true}, {@code false} or empty) because
     * catalyst-api failed; header {@code fallback; reason=<cause>}.
     */
    FALLBACK("fallback", Kind.FALLBACK, false, true),
    /**
     * A trigger answered with catalyst-api's last 200 answer for the same key because catalyst-api
     * failed; header {@code last-known; reason=<cause>}.
     */
    LAST_KNOWN("last-known", Kind.STORED, false, true),
    /** A non-blocking trigger refused because the delivery queue is full. */
    TRIGGER_QUEUE_FULL("trigger-queue-full", Kind.REJECTED, false, true),
    /**
     * A trigger that already passed this mistguard ({@code Mistguard-Via} names it) or too many
     * hops: {@code triggers.upstream} leads back to the listener, so the loop is cut here with a
     * {@code 508}, which the hop that sent it takes as catalyst-api failing.
     */
    LOOP_DETECTED("loop-detected", Kind.REFUSED, false, true),

    /** Malformed request syntax or framing (RFC 9112), before any route. */
    BAD_REQUEST("bad-request", Kind.REFUSED),
    /**
     * A well-framed request whose Mist command mistguard cannot read exactly as Mist would: invalid
     * percent-encoding, bytes that are not UTF-8, or JSON nested deeper than any command needs.
     * Refused before any route, so that routing, trust and caching never rest on a guess.
     */
    BAD_COMMAND("bad-command", Kind.REFUSED),
    /** {@code CONNECT} or {@code TRACE}: mistguard neither tunnels nor echoes requests. */
    METHOD_NOT_ALLOWED("method-not-allowed", Kind.REFUSED),
    /**
     * A request head not complete within {@code limits.header_read_timeout} of its first byte, or a
     * body not complete within {@code limits.body_read_timeout} of its head (slowloris, slow bodies).
     */
    REQUEST_TIMEOUT("request-timeout", Kind.REFUSED),
    /** An {@code Expect} other than {@code 100-continue} (RFC 9110 §10.1.1): 417. */
    EXPECTATION_FAILED("expectation-failed", Kind.REFUSED),
    /** A request line over the limit. */
    URI_TOO_LONG("uri-too-long", Kind.REFUSED),
    /** Header fields over the limit. */
    HEADER_TOO_LARGE("header-too-large", Kind.REFUSED),
    /** A request body over {@code limits.max_body_bytes}. */
    BODY_TOO_LARGE("body-too-large", Kind.REFUSED),
    /**
     * A request mistguard had no memory left to read whole (direct memory, capped by
     * {@code -XX:MaxDirectMemorySize}): 503 and the connection closed. Same token as
     * {@link #OUT_OF_MEMORY}, which is the same shortage met on a route.
     */
    REQUEST_OUT_OF_MEMORY(UpstreamFailure.OUT_OF_MEMORY.reason(), Kind.REFUSED),
    /** More client connections than {@code limits.max_connections}. */
    TOO_MANY_CONNECTIONS("too-many-connections", Kind.REFUSED),
    /** A WebSocket upgrade request that RFC 6455 does not allow. */
    BAD_UPGRADE("bad-upgrade", Kind.REFUSED),
    /** An upgrade to a protocol other than WebSocket. */
    UPGRADE_UNSUPPORTED("upgrade-unsupported", Kind.REFUSED),
    /** More WebSocket tunnels than {@code websocket.max_open}. */
    TOO_MANY_TUNNELS("too-many-tunnels", Kind.REFUSED),

    /** A stale answer's cause: Mist answered with a 5xx. */
    UPSTREAM_5XX("upstream-5xx", Kind.CAUSE),
    /** A fallback's cause: catalyst-api answered with a status other than 200 and below 500. */
    UPSTREAM_STATUS("upstream-status", Kind.CAUSE),
    /** A stale answer's cause: Mist's 200 was not a valid API reply. */
    MALFORMED_REPLY("malformed-reply", Kind.CAUSE),
    /** A stale answer's cause: the entry is past {@code fresh_for} and is being refreshed. */
    REVALIDATING("revalidating", Kind.CAUSE);

    /** What kind of answer a decision is. */
    public enum Kind {
        /** Mist's answer. */
        MIST,
        /** A stored reply of Mist's. */
        STORED,
        /** Taken by a queue (invalidations, non-blocking triggers) and answered at once. */
        QUEUED,
        /** mistguard's own 200 to a trigger, in place of catalyst-api's failed answer. */
        FALLBACK,
        /** mistguard's own answer on a route, instead of Mist's. */
        REJECTED,
        /** mistguard's own answer before any route was chosen (malformed or over a limit). */
        REFUSED,
        /** Never a decision of its own: only named as the cause of a {@link #STALE} answer. */
        CAUSE
    }

    private static final String REJECTED_PREFIX = "rejected; reason=";
    private static final String STALE_PREFIX = "stale; reason=";
    private static final List<Decision> PER_ROUTE = Arrays.stream(values())
            .filter(d -> d.kind != Kind.REFUSED && d.kind != Kind.CAUSE && !d.triggerOnly).toList();
    private static final List<Decision> LISTENER_REFUSALS = Arrays.stream(values())
            .filter(d -> d.kind == Kind.REFUSED && !d.triggerOnly).toList();

    private final String token;
    private final Kind kind;
    private final boolean upstreamFault;
    private final String header;
    /** Only the trigger listener gives it. */
    private final boolean triggerOnly;

    Decision(String token, Kind kind) {
        this(token, kind, false);
    }

    Decision(String token, Kind kind, boolean upstreamFault) {
        this(token, kind, upstreamFault, false);
    }

    Decision(String token, Kind kind, boolean upstreamFault, boolean triggerOnly) {
        this.token = token;
        this.kind = kind;
        this.upstreamFault = upstreamFault;
        this.triggerOnly = triggerOnly;
        this.header = kind == Kind.REJECTED || kind == Kind.REFUSED ? REJECTED_PREFIX + token : token;
    }

    /** The short, stable, lower-case token: access log field and metric tag. */
    public String token() {
        return token;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether mistguard answered itself instead of Mist (on a route or before one). */
    public boolean rejected() {
        return kind == Kind.REJECTED || kind == Kind.REFUSED;
    }

    /**
     * Whether the decision says Mist is failing (timeouts, connection faults, malformed answers, an
     * open breaker): the access log writes these at WARN.
     */
    public boolean upstreamFault() {
        return upstreamFault;
    }

    /**
     * The {@code Mistguard-Decision} header value. For {@link #STALE}, use {@link #staleHeader}.
     *
     * @throws IllegalStateException for {@link #STALE} and the causes, which need or are a cause
     */
    public String header() {
        if (needsCause() || kind == Kind.CAUSE) {
            throw new IllegalStateException(this + " has no header of its own");
        }
        return header;
    }

    /** {@code stale; reason=<cause>}. */
    public static String staleHeader(Decision cause) {
        return STALE_PREFIX + cause.token;
    }

    /**
     * Whether an answer with this decision names the cause it stands in for: {@link #STALE},
     * {@link #FALLBACK} and {@link #LAST_KNOWN}.
     */
    public boolean needsCause() {
        return this == STALE || this == FALLBACK || this == LAST_KNOWN;
    }

    /** {@code <token>; reason=<cause>} for a decision that {@linkplain #needsCause() needs a cause}. */
    public String header(Decision cause) {
        if (!needsCause()) {
            throw new IllegalStateException(this + " names no cause");
        }
        return token + "; reason=" + cause.token;
    }

    /**
     * The decisions the trigger listener gives, each with its own counter per trigger from the start:
     * catalyst-api's answer, queued for delivery, a fallback, a last-known answer, a full queue.
     */
    public static List<Decision> perTrigger() {
        return List.of(PROXIED, QUEUED, FALLBACK, LAST_KNOWN, TRIGGER_QUEUE_FULL);
    }

    /**
     * The refusals the proxy listener makes before any route is chosen (a malformed, slow or oversized
     * request, a connection or upgrade over a limit), each with its own counter from the start.
     */
    public static List<Decision> listenerRefusals() {
        return LISTENER_REFUSALS;
    }

    /** The decisions a route can give, each with its own counter from the start (closed set). */
    public static List<Decision> perRoute() {
        return PER_ROUTE;
    }

    /** The decision of a request a listener's aggregator refused: body-too-large or expectation-failed. */
    public static Decision of(BodyRefusal.Reason refusal) {
        return switch (refusal) {
            case BODY_TOO_LARGE -> BODY_TOO_LARGE;
            case EXPECTATION_FAILED -> EXPECTATION_FAILED;
        };
    }

    /** The decision of a caller answered directly with an upstream failure. */
    public static Decision of(UpstreamFailure failure) {
        return switch (failure) {
            case CONNECT_REFUSED -> CONNECT_REFUSED;
            case CONNECT_TIMEOUT -> CONNECT_TIMEOUT;
            case TIMEOUT -> TIMEOUT;
            case RESET -> UPSTREAM_RESET;
            case BAD_RESPONSE -> BAD_RESPONSE;
            case RESPONSE_TOO_LARGE -> RESPONSE_TOO_LARGE;
            case OUT_OF_MEMORY -> OUT_OF_MEMORY;
            case CANCELLED -> CANCELLED;
        };
    }
}
