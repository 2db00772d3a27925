package io.mistguard.proxy.admin;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * One admin answer before it becomes a Netty response: no buffers until it is written, so the
 * endpoint code needs no reference counting. Immutable.
 *
 * @param status the HTTP status
 * @param contentType the body's media type
 * @param body the body text
 * @param allow the {@code Allow} header of a 405, otherwise {@code null}
 */
record AdminAnswer(HttpResponseStatus status, String contentType, String body, String allow) {

    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";

    static AdminAnswer json(HttpResponseStatus status, String body) {
        return new AdminAnswer(status, JSON, body, null);
    }

    static AdminAnswer ok(String body) {
        return json(HttpResponseStatus.OK, body);
    }

    static AdminAnswer text(HttpResponseStatus status, String body) {
        return new AdminAnswer(status, TEXT, body, null);
    }

    static AdminAnswer methodNotAllowed(String allow) {
        return new AdminAnswer(HttpResponseStatus.METHOD_NOT_ALLOWED, JSON,
                               AdminViews.error("use " + allow.replace(", HEAD", "")), allow);
    }
}
