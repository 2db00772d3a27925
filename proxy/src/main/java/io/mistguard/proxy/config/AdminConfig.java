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
