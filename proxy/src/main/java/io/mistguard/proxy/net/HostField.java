package io.mistguard.proxy.net;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.NetUtil;
import java.util.List;

/**
 * The {@code Host} rules every HTTP server must apply (RFC 9112 §3.2): an HTTP/1.1 request without
 * a {@code Host} field, a request with more than one {@code Host} field line, and one whose
 * {@code Host} value is not {@code uri-host [ ":" port ]} (RFC 3986 §3.2.2–3.2.3; empty is allowed,
 * for a target without an authority) MUST be answered 400. A request with two {@code Host} lines
 * means one host to a server that reads the first and another to one that reads the last (Mist keeps
 * the last), and mistguard's own checks (the admin listener's DNS-rebinding rule, a stored answer's
 * key) would read one while Mist reads the other.
 *
 * <p>Applied by the proxy listener ({@code server/InvalidRequest}) and the admin listener, whose
 * callers are any client; not by the trigger listener, whose one caller is Mist itself (see the
 * README's trigger section). Stateless; thread-safe.
 */
public final class HostField {

    private HostField() {
    }

    /**
     * Why {@code request}'s {@code Host} field breaks RFC 9112 §3.2, or {@code null} when it does not.
     * HTTP/1.0 requests may omit it; they may not repeat it or send a malformed one.
     */
    public static String problem(HttpRequest request) {
        List<String> lines = request.headers().getAll(HttpHeaderNames.HOST);
        if (lines.isEmpty()) {
            return request.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0
                    ? "an HTTP/1.1 request must carry a Host field (RFC 9112 §3.2)" : null;
        }
        if (lines.size() > 1) {
            return "more than one Host field line (RFC 9112 §3.2)";
        }
        return isValid(lines.get(0)) ? null : "the Host field is not a host[:port] (RFC 9112 §3.2, RFC 3986 §3.2.2)";
    }

    /**
     * Whether {@code value} is {@code uri-host [ ":" port ]} or empty: also what an absolute-form
     * target's authority (its userinfo removed) must be to become a {@code Host}.
     */
    public static boolean isValid(String value) {
        if (value.isEmpty()) {
            return true;
        }
        int hostEnd;
        if (value.charAt(0) == '[') {
            hostEnd = value.indexOf(']') + 1;
            if (hostEnd == 0 || !isIpLiteral(value.substring(1, hostEnd - 1))) {
                return false;
            }
        } else {
            int colon = value.indexOf(':');
            hostEnd = colon < 0 ? value.length() : colon;
            if (!isRegName(value, hostEnd)) {
                return false;
            }
        }
        if (hostEnd == value.length()) {
            return true;
        }
        if (value.charAt(hostEnd) != ':') {
            return false;
        }
        for (int i = hostEnd + 1; i < value.length(); i++) { // port = *DIGIT
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * IPv6address or IPvFuture ({@code "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )}). No zone
     * ({@code %eth0}): RFC 3986 has none, and Netty's check ignores whatever follows a {@code %}.
     */
    private static boolean isIpLiteral(String inside) {
        if (inside.indexOf('%') < 0 && NetUtil.isValidIpV6Address(inside)) {
            return true;
        }
        int dot = inside.indexOf('.');
        if (inside.length() < 4 || (inside.charAt(0) != 'v' && inside.charAt(0) != 'V') || dot < 2
                || dot == inside.length() - 1) {
            return false;
        }
        for (int i = 1; i < dot; i++) {
            if (Character.digit(inside.charAt(i), 16) < 0) {
                return false;
            }
        }
        for (int i = dot + 1; i < inside.length(); i++) {
            char c = inside.charAt(i);
            if (!isUnreserved(c) && !isSubDelim(c) && c != ':') {
                return false;
            }
        }
        return true;
    }

    /** {@code reg-name = *( unreserved / pct-encoded / sub-delims )} over {@code value[0, end)}; IPv4 is one. */
    private static boolean isRegName(String value, int end) {
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            if (c == '%') {
                if (i + 2 >= end || Character.digit(value.charAt(i + 1), 16) < 0
                        || Character.digit(value.charAt(i + 2), 16) < 0) {
                    return false;
                }
                i += 2;
            } else if (!isUnreserved(c) && !isSubDelim(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isUnreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                || c == '_' || c == '~';
    }

    private static boolean isSubDelim(char c) {
        return "!$&'()*+,;=".indexOf(c) >= 0;
    }
}
