package io.mistguard.proxy.upstream;

import io.mistguard.proxy.net.MemoryExhaustion;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.ConnectException;

/**
 * The closed set of ways an upstream attempt can fail. Each failure decides, in this one place, the
 * status a caller sees when nothing better can be answered and the reason named in the
 * {@code Mistguard-Decision} header, the response body and metrics.
 */
public enum UpstreamFailure {
    /** Mist refused the TCP connection (not listening, or restarting). */
    CONNECT_REFUSED(HttpResponseStatus.BAD_GATEWAY, "connect-refused"),
    /** The TCP connection was not established within the connect timeout. */
    CONNECT_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "connect-timeout"),
    /** No complete response within the attempt's time budget; the connection was closed. */
    TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "timeout"),
    /** The connection closed or was reset before a complete response arrived. */
    RESET(HttpResponseStatus.BAD_GATEWAY, "upstream-reset"),
    /** The bytes Mist sent were not a valid HTTP response. */
    BAD_RESPONSE(HttpResponseStatus.BAD_GATEWAY, "bad-response"),
    /** The response was larger than {@code upstream.max_response_bytes}. */
    RESPONSE_TOO_LARGE(HttpResponseStatus.BAD_GATEWAY, "response-too-large"),
    /**
     * mistguard ran out of memory for the exchange's buffers (direct memory, capped by
     * {@code -XX:MaxDirectMemorySize}; see {@link io.mistguard.proxy.net.MemoryExhaustion}): 503, as the
     * shortage passes when the messages in flight are written (RFC 9110 §15.6.4). mistguard's own
     * fault, never the upstream's: not counted by a breaker and not retried.
     */
    OUT_OF_MEMORY(HttpResponseStatus.SERVICE_UNAVAILABLE, "out-of-memory"),
    /** The caller went away or its budget ended elsewhere; the attempt was abandoned. */
    CANCELLED(HttpResponseStatus.SERVICE_UNAVAILABLE, "cancelled");

    private final HttpResponseStatus status;
    private final String reason;

    UpstreamFailure(HttpResponseStatus status, String reason) {
        this.status = status;
        this.reason = reason;
    }

    /** The status a caller gets when this failure is answered directly. */
    public HttpResponseStatus status() {
        return status;
    }

    /** A short, stable, lower-case token for headers, bodies and metric tags. */
    public String reason() {
        return reason;
    }

    /**
     * Why a connection to the upstream could not be opened: {@link #CONNECT_TIMEOUT},
     * {@link #CONNECT_REFUSED}, {@link #OUT_OF_MEMORY} when mistguard had no memory for it, and
     * {@link #RESET} for anything else.
     */
    public static UpstreamFailure ofConnect(Throwable cause) {
        return cause instanceof ConnectTimeoutException ? CONNECT_TIMEOUT
                : cause instanceof ConnectException ? CONNECT_REFUSED
                : unlessOutOfMemory(cause, RESET);
    }

    /**
     * How a failed read, decode or write of an upstream exchange is named: {@link #OUT_OF_MEMORY} when
     * {@code cause} is mistguard's own lack of memory, else {@code otherwise} (the exchange's own fault).
     */
    public static UpstreamFailure unlessOutOfMemory(Throwable cause, UpstreamFailure otherwise) {
        return MemoryExhaustion.causedBy(cause) ? OUT_OF_MEMORY : otherwise;
    }

    /**
     * Whether the failure says the upstream is failing, so that its breaker counts it: every failure
     * but a cancellation (the caller's doing) and {@link #OUT_OF_MEMORY} (mistguard's).
     */
    public boolean upstreamsFault() {
        return this != CANCELLED && this != OUT_OF_MEMORY;
    }
}
