package io.mistguard.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * A host and a port to listen on or connect to: an IPv4 address, a host name or an IPv6 address
 * (kept without brackets), and a port from 0 to 65535 (0 lets the OS choose when listening).
 *
 * <p>{@link #toString()} prints the form {@link #parse(String)} accepts, with brackets around IPv6
 * addresses, so a value can be logged and pasted back into the config.
 */
public record HostPort(String host, int port) {

    /** What a listen address looks like, for "(expected: …)" texts. */
    public static final String EXPECTED = "host:port, like 127.0.0.1:4243, localhost:4243 or [::1]:4243";

    public HostPort {
        requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host: \"\" (expected: a host name or an IP address)");
        }
        if (host.startsWith("[")) {
            throw new IllegalArgumentException("host: " + host + " (expected: an IPv6 address without brackets)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0 to 65535)");
        }
    }

    /**
     * Parses {@code host:port}, {@code hostname:port} or {@code [ipv6]:port}.
     *
     * @throws IllegalArgumentException with a message for the operator, naming what was expected
     */
    public static HostPort parse(String text) {
        return HostPortSyntax.parse(requireNonNull(text, "text"), text, HostPortSyntax.NO_DEFAULT_PORT, 0);
    }

    /** Returns whether the host is an IPv6 address, which needs brackets next to a port. */
    public boolean isIpv6() {
        return host.indexOf(':') >= 0;
    }

    /**
     * Same host text and same port. Written out rather than generated: a record's generated
     * {@code equals} is linked through {@code invokedynamic} on its first call, which generated method-handle
     * classes and cost ~15 ms of start-up on one core (the listeners are compared before serving).
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof HostPort that && port == that.port && host.equals(that.host);
    }

    @Override
    public int hashCode() {
        return 31 * host.hashCode() + port;
    }

    @Override
    public String toString() {
        return isIpv6() ? '[' + host + "]:" + port : host + ':' + port;
    }
}
