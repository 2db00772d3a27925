package io.mistguard.proxy.upstream;

import io.netty.handler.codec.http.HttpResponseStatus;

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
}
