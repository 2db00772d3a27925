package io.mistguard.proxy.server.tunnel;

import static java.util.Objects.requireNonNull;

import io.mistguard.proxy.exchange.Decision;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * How an upgrade request was answered, for the access log and metrics: the status the caller got and
 * the {@code Mistguard-Decision} that went with it. Immutable.
 *
 * @param status   101 when the tunnel is up; Mist's own status when it declined; mistguard's status
 *                 (400, 501, 502, 503, 504) when mistguard answered; 503 {@code cancelled} when the
 *                 caller left before any answer (nothing was sent then)
 * @param decision {@link Decision#PROXIED}, or mistguard's rejection
 */
public record HandshakeOutcome(HttpResponseStatus status, Decision decision) {

    public HandshakeOutcome {
        requireNonNull(status, "status");
        requireNonNull(decision, "decision");
    }

    static HandshakeOutcome proxied(HttpResponseStatus status) {
        return new HandshakeOutcome(status, Decision.PROXIED);
    }

    static HandshakeOutcome rejected(HttpResponseStatus status, Decision decision) {
        return new HandshakeOutcome(status, decision);
    }

    /** Whether the tunnel was established (Mist answered 101 and it was relayed). */
    public boolean upgraded() {
        return status.code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code();
    }
}
