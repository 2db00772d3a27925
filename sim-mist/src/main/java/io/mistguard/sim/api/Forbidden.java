package io.mistguard.sim.api;

import java.nio.charset.StandardCharsets;

/**
 * The bytes of Mist's answer to a bad {@code Authorization: json …} header (mist-api.md §8):
 * {@code HTTP/1.1 403 Not authorized} with a {@code WWW-Authenticate} header and nothing else: no
 * {@code Content-Length}, no {@code Connection: close}, no body, and the connection stays open, so a
 * client that reads the body to EOF waits forever. No HTTP encoder writes such a reply, hence raw
 * bytes. Stateless.
 */
final class Forbidden {

    private Forbidden() {
    }

    static byte[] bytes(String wwwAuthenticate) {
        return ("HTTP/1.1 403 Not authorized\r\nWWW-Authenticate: " + wwwAuthenticate + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}
