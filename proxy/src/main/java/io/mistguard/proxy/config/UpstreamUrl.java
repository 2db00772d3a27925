package io.mistguard.proxy.config;

import static io.mistguard.proxy.config.Quotes.quote;

/**
 * Parses the upstream URL: {@code http://host[:port][/]} and nothing more.
 *
 * <p>Only plain http: Mist's API listens on loopback without TLS. No path or query either,
 * because mistguard forwards the caller's path and query unchanged; a path here would silently
 * be ignored, which is worse than an error.
 */
public final class UpstreamUrl {

    public static final String EXPECTED = "http://host[:port], like http://127.0.0.1:4242";

    private UpstreamUrl() {}

    /**
     * Parses {@code url}; the port defaults to 80.
     *
     * @throws IllegalArgumentException with a message for the operator, naming what was expected
     */
    public static HostPort parse(String url) {
        int sep = url.indexOf("://");
        if (sep < 0) {
            throw bad(url, "is not an http URL");
        }
        String scheme = url.substring(0, sep);
        if (!scheme.equalsIgnoreCase("http")) {
            throw bad(url, "has scheme " + quote(scheme) + ", but Mist's API speaks plain http");
        }
        String rest = url.substring(sep + 3);
        int end = firstOf(rest, "/?#");
        String authority = rest.substring(0, end);
        String tail = rest.substring(end);
        if (authority.indexOf('@') >= 0) {
            throw bad(url, "has user info, which mistguard does not send");
        }
        if (tail.contains("?")) {
            throw bad(url, "has a query, which would be ignored");
        }
        if (tail.contains("#")) {
            throw bad(url, "has a fragment, which would be ignored");
        }
        if (!tail.isEmpty() && !tail.equals("/")) {
            throw bad(url, "has path " + quote(tail) + ", but callers' paths are forwarded unchanged");
        }
        return HostPortSyntax.parse(authority, url, 80, 1);
    }

    private static int firstOf(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }

    private static IllegalArgumentException bad(String url, String what) {
        return new IllegalArgumentException(quote(url) + ' ' + what + " (expected: " + EXPECTED + ')');
    }
}
