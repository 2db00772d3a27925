package io.mistguard.proxy.exchange;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * The {@code Mistguard-*} response fields, named here once and written from an {@link Answer} by the
 * server edge, the one place they are set on a response to a caller. Stateless.
 *
 * <p>The names are {@link AsciiString}s, like Netty's {@code HttpHeaderNames}: every answer sets or
 * removes each of them, and an {@code AsciiString} name's hash is computed once, where a
 * {@code String} name is hashed again at every lookup.
 */
public final class AnswerHeaders {

    /** How mistguard handled the request ({@link Decision}); on every response. */
    public static final AsciiString DECISION = AsciiString.cached("Mistguard-Decision");
    /** The name of the route that answered; absent before a route was chosen. */
    public static final AsciiString ROUTE = AsciiString.cached("Mistguard-Route");
    /** Upstream attempts made for the answer; absent when no policed call answered it. */
    public static final AsciiString ATTEMPTS = AsciiString.cached("Mistguard-Attempts");

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
