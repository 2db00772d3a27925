package io.mistguard.proxy.net;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
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
        String value = lines.get(0);
        return isValid(value) || isMistClientsIpv6(value) ? null
                : "the Host field is not a host[:port] (RFC 9112 §3.2, RFC 3986 §3.2.2)";
    }

    /**
     * An IPv6 address without brackets, with or without a port: what Mist's own HTTP client
     * ({@code HTTP::Downloader}, which MistUtilLoad polls with) writes for an IPv6 node, its URL's
     * brackets dropped ({@code Host: ::1:4243}). Not RFC 3986, but a caller mistguard must serve,
     * and unambiguous to Mist, which never reads {@code Host} for routing.
     */
    public static boolean isMistClientsIpv6(String value) {
        if (value.indexOf(':') == value.lastIndexOf(':')) {
            return false; // no colon, or one: a host[:port], already judged
        }
        if (isIpv6Address(value)) {
            return true;
        }
        int port = value.lastIndexOf(':');
        return port + 1 < value.length() && isDigits(value, port + 1) && isIpv6Address(value.substring(0, port));
    }

    private static boolean isDigits(String value, int from) {
        for (int i = from; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return false;
            }
        }
        return true;
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
        return isDigits(value, hostEnd + 1); // port = *DIGIT
    }

    /**
     * IPv6address or IPvFuture ({@code "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )}). No zone
     * ({@code %25eth0}): RFC 6874 added one to RFC 3986's URIs, but RFC 9110 §4.3 asks for a name or
     * address a request can be routed by, and a zone names an interface of the sender's host only.
     */
    private static boolean isIpLiteral(String inside) {
        if (isIpv6Address(inside)) {
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

    /**
     * RFC 3986 §3.2.2's {@code IPv6address}: eight groups of 1–4 hex digits, the last two of which may
     * be a dotted IPv4 address (any prefix, as in {@code 64:ff9b::192.0.2.1}), with at most one
     * {@code ::} standing for one or more zero groups. Written out because Netty's check takes an IPv4
     * tail only after {@code ::ffff:} or {@code ::} and ignores whatever follows a {@code %}.
     */
    public static boolean isIpv6Address(String text) {
        int elided = text.indexOf("::");
        if (elided >= 0 && text.indexOf("::", elided + 1) >= 0) {
            return false;
        }
        if (elided < 0) {
            return countGroups(text.split(":", -1), true) == 8;
        }
        String head = text.substring(0, elided);
        String tail = text.substring(elided + 2);
        int before = head.isEmpty() ? 0 : countGroups(head.split(":", -1), false);
        int after = tail.isEmpty() ? 0 : countGroups(tail.split(":", -1), true);
        return before >= 0 && after >= 0 && before + after <= 7;
    }

    /**
     * The number of 16-bit groups {@code parts} stand for (a dotted IPv4 last part counts two, when
     * {@code ipv4Last} allows it), or -1 when a part is no group.
     */
    private static int countGroups(String[] parts, boolean ipv4Last) {
        int count = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (ipv4Last && i == parts.length - 1 && part.indexOf('.') >= 0) {
                if (!isIpv4Address(part)) {
                    return -1;
                }
                count += 2;
            } else if (part.isEmpty() || part.length() > 4 || !isHex(part)) {
                return -1;
            } else {
                count++;
            }
        }
        return count;
    }

    private static boolean isHex(String part) {
        for (int i = 0; i < part.length(); i++) {
            if (Character.digit(part.charAt(i), 16) < 0 || part.charAt(i) > 'f') {
                return false;
            }
        }
        return true;
    }

    /** {@code dec-octet "." dec-octet "." dec-octet "." dec-octet}: 0–255, no leading zero. */
    private static boolean isIpv4Address(String text) {
        String[] octets = text.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String octet : octets) {
            if (octet.isEmpty() || octet.length() > 3 || !isDigits(octet, 0)
                    || octet.length() > 1 && octet.charAt(0) == '0' || Integer.parseInt(octet) > 255) {
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

    /**
     * Whether a {@code Connection} field names {@code Host}: stripping it as hop-by-hop would send
     * the next hop an HTTP/1.1 request without one, which RFC 9112 §3.2 forbids a client to send, and RFC 9110
     * §7.6.1 forbids naming a field meant for every recipient. Such a request is refused
     * ({@code InvalidRequest}). One lookup for the usual request without {@code Connection}.
     */
    public static boolean namedByConnection(HttpHeaders headers) {
        if (!headers.contains(HttpHeaderNames.CONNECTION)) {
            return false;
        }
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                if (token.trim().equalsIgnoreCase("host")) {
                    return true;
                }
            }
        }
        return false;
    }
}
