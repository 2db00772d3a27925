package io.mistguard.proxy.server.tunnel;

import static java.util.Objects.requireNonNull;

import io.mistguard.proxy.exchange.Decision;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * How an upgrade request was answered, for the access log and metrics: the status the caller got,
 * the {@code Mistguard-Decision} that went with it and the size of the answer's body. Immutable.
 *
 * @param status   101 when the tunnel is up; Mist's own status when it declined; mistguard's status
 *                 (400, 501, 502, 503, 504) when mistguard answered; 503 {@code cancelled} when the
 *                 caller left before any answer, or before the answer was written whole
 * @param decision {@link Decision#PROXIED}, or mistguard's rejection
 * @param bodyBytes the bytes of body the answer written to the caller holds, ≥ 0: 0 for a 101 and when
 *                  nothing was written; for {@code cancelled}, those of its body the socket took before
 *                  the caller left ({@code SentBody}); what the caller reads of it also depends on its
 *                  method ({@code AnswerContent}: none after a {@code HEAD})
 */
public record HandshakeOutcome(HttpResponseStatus status, Decision decision, int bodyBytes) {

    public HandshakeOutcome {
        requireNonNull(status, "status");
        requireNonNull(decision, "decision");
        if (bodyBytes < 0) {
            throw new IllegalArgumentException("bodyBytes < 0: " + bodyBytes);
        }
    }

    static HandshakeOutcome proxied(HttpResponseStatus status, int bodyBytes) {
        return new HandshakeOutcome(status, Decision.PROXIED, bodyBytes);
    }

    static HandshakeOutcome rejected(HttpResponseStatus status, Decision decision, int bodyBytes) {
        return new HandshakeOutcome(status, decision, bodyBytes);
    }

    /** Whether the tunnel was established (Mist answered 101 and it was relayed). */
    public boolean upgraded() {
        return status.code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code();
    }
}
