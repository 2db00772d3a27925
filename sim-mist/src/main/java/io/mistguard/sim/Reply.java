package io.mistguard.sim;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A response about to be written: status, content type, body bytes and whether the connection
 * stays open afterwards. Immutable.
 */
record Reply(HttpResponseStatus status, String contentType, byte[] body, boolean keepAlive) {

    static final String MIST_TYPE = "text/javascript";

    static Reply mist(byte[] body, boolean keepAlive) {
        return new Reply(HttpResponseStatus.OK, MIST_TYPE, body, keepAlive);
    }
}
