package io.mistguard.proxy.config;

import static io.mistguard.proxy.config.Quotes.quote;

import java.util.regex.Pattern;

import io.netty.util.NetUtil;

/**
 * Splits and checks the {@code host[:port]} part of a listen address or URL.
 *
 * <p>Validation is purely syntactic: nothing here resolves names, because a config check must not
 * depend on DNS being up, and a name that resolves today may not at the next start.
 */
final class HostPortSyntax {

    static final int NO_DEFAULT_PORT = -1;

    /** RFC 1123 labels: letters, digits and inner hyphens, at most 63 characters each. */
    private static final Pattern HOST_NAME =
            Pattern.compile("(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?" +
                            "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");

    private HostPortSyntax() {}

    /**
     * Parses {@code authority}.
     *
     * @param original the whole text the operator wrote, quoted in messages (a URL, say)
     * @param defaultPort the port when none is written, or {@link #NO_DEFAULT_PORT} to require one
     * @param minPort 0 for addresses to listen on, 1 for addresses to connect to
     */
    static HostPort parse(String authority, String original, int defaultPort, int minPort) {
        String host;
        String port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw bad(original, "has no closing \"]\" after the IPv6 address");
            }
            host = authority.substring(1, close);
            String rest = authority.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw bad(original, "has " + quote(rest) + " after the IPv6 address");
            }
            port = rest.isEmpty() ? null : rest.substring(1);
            if (!NetUtil.isValidIpV6Address(host)) {
                throw bad(original, "has an invalid IPv6 address " + quote(host));
            }
        } else {
            int colon = authority.indexOf(':');
            if (colon >= 0 && authority.indexOf(':', colon + 1) >= 0) {
                throw bad(original, "is ambiguous; an IPv6 address needs brackets");
            }
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? null : authority.substring(colon + 1);
            checkHost(host, original);
        }
        return new HostPort(host, port(port, original, defaultPort, minPort));
    }

    private static void checkHost(String host, String original) {
        if (host.isEmpty()) {
            boolean listening = !original.contains("://");
            throw bad(original, listening ? "has no host (use 0.0.0.0 to listen on all IPv4 interfaces)"
                                          : "has no host");
        }
        if (DIGITS_AND_DOTS.matcher(host).matches()) {
            if (!NetUtil.isValidIpV4Address(host)) {
                throw bad(original, "has an invalid IPv4 address " + quote(host));
            }
            return;
        }
        if (!HOST_NAME.matcher(host).matches()) {
            throw bad(original, "has an invalid host name " + quote(host));
        }
    }

    private static int port(String port, String original, int defaultPort, int minPort) {
        if (port == null) {
            if (defaultPort == NO_DEFAULT_PORT) {
                throw bad(original, "has no port");
            }
            return defaultPort;
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(original, "has an invalid port " + quote(port));
        }
        int value = Integer.parseInt(port);
        if (value < minPort || value > 65535) {
            throw new IllegalArgumentException(quote(original) + " has port " + value +
                                               " (expected: " + minPort + " to 65535)");
        }
        return value;
    }

    private static IllegalArgumentException bad(String original, String what) {
        String expected = original.contains("://") ? UpstreamUrl.EXPECTED : HostPort.EXPECTED;
        return new IllegalArgumentException(quote(original) + ' ' + what + " (expected: " + expected + ')');
    }
}
