package io.mistguard.sim.api;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A response about to be written: status, content type, body, extra headers, and what it does to the
 * connection. Mist's API replies carry no {@code Connection} header and keep the connection open
 * whatever the client asked; its web UI page says {@code Connection: close} and closes; its
 * Prometheus paths say {@code Connection: close} yet keep the connection open (mist-api.md §8).
 * Immutable.
 *
 * @param headers extra headers, written in iteration order
 * @param saysClose whether the reply carries {@code Connection: close}
 * @param closes whether sim-mist closes the connection once the reply is written
 */
record Reply(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers,
             boolean saysClose, boolean closes) {

    static final String MIST_TYPE = "text/javascript";

    /** An API reply: 200, {@code text/javascript}, CORS and no-cache headers, connection kept. */
    static Reply mist(byte[] body) {
        return new Reply(HttpResponseStatus.OK, MIST_TYPE, body, MistHeaders.CORS, false, false);
    }

    /** The web UI page, which ends the keep-alive connection. */
    static Reply webUi() {
        return new Reply(HttpResponseStatus.OK, "text/html", HtmlPage.BODY, MistHeaders.WEB_UI, true, true);
    }

    /** A Prometheus path: says {@code Connection: close} but keeps the connection open. */
    static Reply prometheus(String contentType, byte[] body, Map<String, String> echoed) {
        return new Reply(HttpResponseStatus.OK, contentType, body, echoed, true, false);
    }

    /** An injected status (a fault; Mist itself never answers one): short text body, connection kept. */
    static Reply status(HttpResponseStatus status) {
        return new Reply(status, "text/plain; charset=utf-8", (status + "\n").getBytes(StandardCharsets.UTF_8),
                Map.of(), false, false);
    }

    /** This reply, after which the connection is closed without saying so (its headers unchanged). */
    Reply thenClose() {
        return new Reply(status, contentType, body, headers, saysClose, true);
    }

    /** This reply announcing and doing a close, as Catalyst's fork does after its last failed login. */
    Reply closing() {
        return new Reply(status, contentType, body, headers, true, true);
    }

    Reply withBody(byte[] newBody) {
        return new Reply(status, contentType, newBody, headers, saysClose, closes);
    }
}
