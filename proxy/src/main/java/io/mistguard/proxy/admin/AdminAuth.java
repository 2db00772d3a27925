package io.mistguard.proxy.admin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks {@code Authorization: Bearer <token>} when a token is configured; the scheme is
 * case-insensitive (RFC 9110 §11.1, RFC 6750 §2.1). The token comparison takes the same time
 * wherever the first differing byte is ({@link MessageDigest#isEqual}), so the token cannot be
 * guessed byte by byte from response times. The token is compared as its UTF-8 bytes with the bytes
 * the client sent. Immutable; thread-safe.
 */
final class AdminAuth {

    private static final String SCHEME = "Bearer ";

    private final byte[] expected;

    AdminAuth(String token) {
        this.expected = token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a token is configured: without one, every request that gets here is allowed. */
    boolean required() {
        return expected != null;
    }

    boolean allows(HttpRequest request) {
        if (expected == null) {
            return true;
        }
        String given = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (given == null || !given.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        // The HTTP decoder turns each byte of a field value into one char (ISO-8859-1, RFC 9110
        // §5.5), so the bytes the client sent come back with that charset; a token configured with
        // non-ASCII characters is sent by clients (curl, Prometheus) as its UTF-8 bytes.
        return MessageDigest.isEqual(expected,
                given.substring(SCHEME.length()).getBytes(StandardCharsets.ISO_8859_1));
    }
}
