package io.mistguard.sim.api;

/**
 * What the command thread hands back to the event loop for one API request. Immutable.
 *
 * @param body the full reply body (JSON + "\n\n"); empty for a 403
 * @param pause true when Catalyst's fork would sleep 1 s before answering
 * @param closeAfter true when the connection is closed after this reply
 * @param wwwAuthenticate non-null when Mist answers {@code 403 Not authorized} instead (a bad
 *     {@code Authorization: json …} header): the {@code WWW-Authenticate} value to send
 */
record CommandReply(byte[] body, boolean pause, boolean closeAfter, String wwwAuthenticate) {

    static CommandReply ok(byte[] body) {
        return new CommandReply(body, false, false, null);
    }

    static CommandReply forbidden(String wwwAuthenticate) {
        return new CommandReply(new byte[0], false, false, wwwAuthenticate);
    }

    boolean forbidden() {
        return wwwAuthenticate != null;
    }
}
