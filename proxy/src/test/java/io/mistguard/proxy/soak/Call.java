package io.mistguard.proxy.soak;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One request a soak caller makes, with what the soak expects of its answer: the route (or trigger)
 * whose budget bounds the wait, an optional shorter deadline of the caller's own
 * ({@code Mistguard-Timeout-Ms}), and the session invalidations it asks for. Immutable.
 *
 * @param route          the route that must answer it, as {@code /admin/routes} names it; for the
 *                       trigger listener, {@code trigger:NAME}
 * @param deadlineMillis the caller's own deadline, or 0 for none
 * @param invalidations  stream names a local caller asks to invalidate (the queue must deliver them)
 * @param login          the caller's login command: an answer to a challenge, not counted as traffic
 */
record Call(String method, String path, List<String> headers, String contentType, String body, String route,
            long deadlineMillis, List<String> invalidations, boolean login) {

    Call {
        headers = List.copyOf(headers);
        invalidations = List.copyOf(invalidations);
    }

    /** catalyst-api's form: {@code POST path} with {@code command=<url-encoded JSON>}. */
    static Call form(String path, String json, String route) {
        return new Call("POST", path, List.of(), "application/x-www-form-urlencoded",
                "command=" + URLEncoder.encode(json, StandardCharsets.UTF_8), route, 0, List.of(), false);
    }

    /** A raw JSON body, which Mist reads only with exactly {@code application/json}. */
    static Call json(String path, String json, String route) {
        return new Call("POST", path, List.of(), "application/json", json, route, 0, List.of(), false);
    }

    /** {@code GET path} (a query may be part of it). */
    static Call get(String path, String route) {
        return new Call("GET", path, List.of(), null, null, route, 0, List.of(), false);
    }

    /** {@code GET path?command=<url-encoded JSON>}. */
    static Call query(String path, String json, String route) {
        return get(path + "?command=" + URLEncoder.encode(json, StandardCharsets.UTF_8), route);
    }

    Call withHeader(String header) {
        List<String> more = new java.util.ArrayList<>(headers);
        more.add(header);
        return new Call(method, path, more, contentType, body, route, deadlineMillis, invalidations, login);
    }

    Call withDeadline(long millis) {
        return withHeader("Mistguard-Timeout-Ms: " + millis).deadline(millis);
    }

    private Call deadline(long millis) {
        return new Call(method, path, headers, contentType, body, route, millis, invalidations, login);
    }

    Call invalidating(List<String> names) {
        return new Call(method, path, headers, contentType, body, route, deadlineMillis, names, login);
    }

    Call asLogin() {
        return new Call(method, path, headers, contentType, body, route, deadlineMillis, invalidations, true);
    }

    /** The request's bytes, with {@code Host} and a {@code Content-Length} when it has a body. */
    byte[] bytes() {
        StringBuilder s = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: mist\r\n");
        headers.forEach(h -> s.append(h).append("\r\n"));
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            s.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ").append(content.length)
                    .append("\r\n");
        }
        byte[] head = s.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = java.util.Arrays.copyOf(head, head.length + content.length);
        System.arraycopy(content, 0, all, head.length, content.length);
        return all;
    }
}
