package io.mistguard.proxy.exchange;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * The {@code Mistguard-*} response fields, named here once and written from an {@link Answer} by the
 * server edge, the one place they are set on a response to a caller. Stateless.
 */
public final class AnswerHeaders {

    /** How mistguard handled the request ({@link Decision}); on every response. */
    public static final String DECISION = "Mistguard-Decision";
    /** The name of the route that answered; absent before a route was chosen. */
    public static final String ROUTE = "Mistguard-Route";
    /** Upstream attempts made for the answer; absent when no policed call answered it. */
    public static final String ATTEMPTS = "Mistguard-Attempts";

    private AnswerHeaders() {
    }

    /** Sets the fields of {@code answer} on its response, replacing any of the same name. */
    public static void write(Answer answer) {
        HttpHeaders headers = answer.response().headers();
        headers.set(DECISION, answer.decisionHeader());
        if (answer.route() != null) {
            headers.set(ROUTE, answer.route());
        } else {
            headers.remove(ROUTE);
        }
        if (answer.attempts() != Answer.NO_ATTEMPTS) {
            headers.setInt(ATTEMPTS, answer.attempts());
        } else {
            headers.remove(ATTEMPTS);
        }
    }
}
