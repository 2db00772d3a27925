package io.mistguard.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * The admin listener: health, readiness, metrics and operator actions, on its own address so that
 * it stays reachable (and can stay on loopback) while the proxy port is overloaded.
 *
 * @param listen where the admin listener binds
 */
public record AdminConfig(HostPort listen) {

    private static final AdminConfig DEFAULTS = new AdminConfig(new HostPort("127.0.0.1", 4244));

    public AdminConfig {
        requireNonNull(listen, "listen");
    }

    /** Loopback port 4244. */
    public static AdminConfig defaults() {
        return DEFAULTS;
    }
}
