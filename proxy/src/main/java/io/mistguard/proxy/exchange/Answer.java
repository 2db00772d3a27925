package io.mistguard.proxy.exchange;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.FullHttpResponse;

/**
 * How one request was answered: the response to send and the typed outcome that goes with it — the
 * {@link Decision}, the route, the upstream attempts and the time spent at Mist. The layers below
 * the server build it; the server edge alone turns it into headers ({@link AnswerHeaders}), an
 * access-log line and nothing else reads a decision back from a header. Immutable; the response is
 * owned by whoever holds the answer and must be released (or written) exactly once.
 *
 * @param response      the status, Mist's headers and body; carries no {@code Mistguard-*} field yet
 * @param decision      how the request was answered; never a {@link Decision.Kind#CAUSE}
 * @param staleCause    for a decision that {@linkplain Decision#needsCause() needs a cause} ({@link Decision#STALE},
 *                      a trigger's {@link Decision#FALLBACK} or {@link Decision#LAST_KNOWN}), why: the
 *                      failed call's decision or a cause; else null
 * @param route         the route's name, or {@code null} before a route was chosen
 * @param attempts      upstream attempts made for this answer (a coalesced caller sees the shared
 *                      call's), or {@link #NO_ATTEMPTS} when no policed call answered it
 * @param upstreamNanos time spent in upstream attempts for this caller, in nanoseconds; 0 for callers
 *                      who made no call of their own
 */
public record Answer(FullHttpResponse response, Decision decision, Decision staleCause, String route, int attempts,
                     long upstreamNanos) {

    /** {@link #attempts} when no policed call answered the request (no {@code Mistguard-Attempts}). */
    public static final int NO_ATTEMPTS = -1;

    public Answer {
        requireNonNull(response, "response");
        requireNonNull(decision, "decision");
        if (decision.kind() == Decision.Kind.CAUSE) {
            throw new IllegalArgumentException(decision + " is only a stale answer's cause");
        }
        if (decision.needsCause() != (staleCause != null)) {
            throw new IllegalArgumentException("a stale or fallback answer, and only one, names its cause: "
                                               + decision);
        }
    }

    /** An answer with no route, attempts or upstream time (yet). */
    public static Answer of(FullHttpResponse response, Decision decision) {
        return new Answer(response, decision, null, null, NO_ATTEMPTS, 0);
    }

    /** A last-known-good reply, because of {@code cause}. */
    public static Answer stale(FullHttpResponse response, Decision cause) {
        return new Answer(response, Decision.STALE, requireNonNull(cause, "cause"), null, NO_ATTEMPTS, 0);
    }

    /** A trigger's fallback or last-known answer ({@code decision}), because of {@code cause}. */
    public static Answer instead(FullHttpResponse response, Decision decision, Decision cause) {
        return new Answer(response, decision, requireNonNull(cause, "cause"), null, NO_ATTEMPTS, 0);
    }

    /** This answer, given on {@code routeName}. */
    public Answer onRoute(String routeName) {
        return new Answer(response, decision, staleCause, routeName, attempts, upstreamNanos);
    }

    /** This answer, after {@code count} attempts that spent {@code nanos} at Mist. */
    public Answer withAttempts(int count, long nanos) {
        return new Answer(response, decision, staleCause, route, count, nanos);
    }

    /** The {@code Mistguard-Decision} value. */
    public String decisionHeader() {
        return decision.needsCause() ? decision.header(staleCause) : decision.header();
    }
}
