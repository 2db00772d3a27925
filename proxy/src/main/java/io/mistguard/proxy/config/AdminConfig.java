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

    public AdminConfig {
        requireNonNull(listen, "listen");
        requireNonNull(token, "token");
        if (!token.isEmpty() && token.isBlank()) {
            throw new IllegalArgumentException("token: only whitespace (expected: a secret, or \"\" for none)");
        }
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
