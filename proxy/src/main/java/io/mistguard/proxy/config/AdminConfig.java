package io.mistguard.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * The admin listener: health, readiness, metrics and operator actions, on its own address so that
 * it stays reachable (and can stay on loopback) while the proxy port is overloaded.
 *
 * @param listen where the admin listener binds
 * @param token the bearer token every endpoint but {@code /healthz} and {@code /readyz} requires;
 *              empty means no authentication (also {@code MISTGUARD_ADMIN_TOKEN}, which wins)
 */
public record AdminConfig(HostPort listen, String token) {

    private static final AdminConfig DEFAULTS = new AdminConfig(new HostPort("127.0.0.1", 4244), "");

    /** @throws IllegalArgumentException when {@link #tokenProblem} finds one in {@code token} */
    public AdminConfig {
        requireNonNull(listen, "listen");
        requireNonNull(token, "token");
        String problem = tokenProblem(token);
        if (problem != null) {
            throw new IllegalArgumentException("token: " + problem);
        }
    }

    /**
     * Why no caller could ever send {@code token} in {@code Authorization: Bearer <token>}, or
     * {@code null} when one can (and for {@code ""}, no token). A field value loses its leading and
     * trailing whitespace on the way (RFC 9110 §5.5) and cannot carry a control character, so a token
     * with either would lock every caller out of the admin endpoints. Found by review: a token of only
     * spaces crashed the config's loading with a stack trace, and {@code " tok123 "} was taken as it
     * was, to be matched by no request.
     */
    public static String tokenProblem(String token) {
        if (token.isEmpty()) {
            return null;
        }
        if (token.isBlank()) {
            return "only whitespace (expected: a secret, or \"\" for none)";
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                return "has a control character at position " + (i + 1) + " (U+" + String.format("%04X", (int) c)
                       + "), which no Authorization header can carry (expected: a secret of visible characters)";
            }
        }
        if (Character.isWhitespace(token.charAt(0)) || Character.isWhitespace(token.charAt(token.length() - 1))) {
            return "begins or ends with whitespace, which an Authorization header loses on the way (expected: "
                   + "the secret without it)";
        }
        return null;
    }

    /** No token. */
    public AdminConfig(HostPort listen) {
        this(listen, "");
    }

    /** Returns a copy requiring {@code token} (empty: none). */
    public AdminConfig withToken(String token) {
        return new AdminConfig(listen, token);
    }

    /** Whether requests must carry the token. */
    public boolean requiresToken() {
        return !token.isEmpty();
    }

    /**
     * Why this admin listener must not start, or {@code null} when it may: one that listens beyond
     * loopback with no token would hand breaker overrides, reloads and the in-flight view to anyone
     * who can reach the port. A host name is resolved (once, at start) to tell.
     */
    public String exposureProblem() {
        if (requiresToken() || isLoopback(listen.host())) {
            return null;
        }
        return "admin.listen is " + listen + ", which is not a loopback address, and no admin token is set: "
               + "anyone who can reach that port could force the breaker and reload the config (expected: "
               + "admin.token or MISTGUARD_ADMIN_TOKEN set, or admin.listen on 127.0.0.1 / ::1)";
    }

    private static boolean isLoopback(String host) {
        try {
            for (java.net.InetAddress address : java.net.InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (java.net.UnknownHostException e) {
            return false; // cannot tell: refuse rather than guess
        }
    }

    /** Never prints the token itself. */
    @Override
    public String toString() {
        return "AdminConfig[listen=" + listen + ", token=" + (token.isEmpty() ? "none" : "(set)") + ']';
    }

    /** Loopback port 4244. */
    public static AdminConfig defaults() {
        return DEFAULTS;
    }
}
