package io.mistguard.proxy.admin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.mistguard.proxy.net.HostField;
import io.netty.util.NetUtil;
import java.util.Locale;

/**
 * Refuses admin requests a browser sends on behalf of another site's page. The admin listener has no
 * token by default (it listens on loopback), and a page from anywhere can make a browser on the same
 * host send a simple {@code POST /admin/breakers/mist/force-open?for=1h} (no preflight: RFC 6454 and
 * the Fetch standard's CORS-safelisted requests) — cross-site request forgery. So a request is refused
 * when its {@code Origin} names an origin other than the admin listener's own (as the request's
 * {@code Host} names it), or when {@code Sec-Fetch-Site} says {@code cross-site} or
 * {@code same-site}. Tools (curl, Prometheus, kubelet probes) send neither field and are unaffected;
 * a page served by the admin listener itself (same origin) is allowed. The admin listener never
 * sends CORS fields, so no other origin can read its answers either.
 *
 * <p>Without a token, a listener also refuses a request addressed to a name other than
 * {@code localhost} ({@link #foreignHost}): DNS rebinding (a page at {@code http://attacker.example:4244/}
 * whose name is made to resolve to 127.0.0.1) makes the browser send its requests to the admin
 * listener as same-origin ones, with {@code Origin} and {@code Host} both naming the attacker's
 * site, and no {@code Origin} at all on a {@code GET}. Such a page could otherwise read every view
 * and force the {@code mist} breaker open. With a token it gets nothing: the browser never adds the
 * token on its own. Stateless; thread-safe.
 */
final class CrossOrigin {

    private CrossOrigin() {
    }

    /** Why {@code request} is refused, or {@code null} when it is not cross-origin. */
    static String refusal(HttpRequest request) {
        String site = request.headers().get("Sec-Fetch-Site");
        if (site != null) {
            String value = site.trim().toLowerCase(Locale.ROOT);
            if (value.equals("cross-site") || value.equals("same-site")) {
                return "Sec-Fetch-Site: " + value;
            }
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            return null;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        String own = host == null ? null : "http://" + host.trim().toLowerCase(Locale.ROOT);
        if (own != null && origin.trim().toLowerCase(Locale.ROOT).equals(own)) {
            return null;
        }
        return "Origin " + origin + " is not this listener's";
    }

    /**
     * Why a request to a listener without a token is refused for the name it is addressed to, or
     * {@code null}: allowed are no {@code Host} (HTTP/1.0 tools) or an empty one, {@code localhost} and IP address
     * literals, none of which a DNS answer can point elsewhere. Such a listener is on loopback
     * (mistguard refuses to start otherwise), so that is every way a browser on the host or a
     * {@code kubectl port-forward} reaches it.
     */
    static String foreignHost(HttpRequest request) {
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host == null) {
            return null;
        }
        String name = host.trim().toLowerCase(Locale.ROOT);
        if (name.isEmpty()) {
            return null; // a target without an authority (RFC 9112 §3.2): no name at all, as with no Host
        }
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            if (end > 0 && HostField.isIpv6Address(name.substring(1, end))
                    && (end == name.length() - 1 || name.charAt(end + 1) == ':')) {
                return null;
            }
        } else if (HostField.isMistClientsIpv6(name)) {
            return null; // an IPv6 literal as Mist's own client writes it, brackets dropped
        } else {
            int colon = name.indexOf(':');
            String bare = colon < 0 ? name : name.substring(0, colon);
            if (bare.equals("localhost") || bare.equals("localhost.") || NetUtil.isValidIpV4Address(bare)) {
                return null;
            }
        }
        return "Host " + host + " is not localhost or an IP address; with no admin token this listener "
                + "answers no other name (DNS rebinding)";
    }
}
