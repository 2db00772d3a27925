package io.mistguard.proxy.admin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks {@code Authorization: Bearer <token>} when a token is configured. The comparison takes
 * the same time wherever the first differing byte is ({@link MessageDigest#isEqual}), so the
 * token cannot be guessed byte by byte from response times. Immutable; thread-safe.
 */
final class AdminAuth {

    private static final String PREFIX = "Bearer ";

    private final byte[] expected;

    AdminAuth(String token) {
        this.expected = token.isEmpty() ? null : (PREFIX + token).getBytes(StandardCharsets.UTF_8);
    }

    boolean allows(HttpRequest request) {
        if (expected == null) {
            return true;
        }
        String given = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        return given != null && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8));
    }
}
