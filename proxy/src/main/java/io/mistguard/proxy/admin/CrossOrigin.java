package io.mistguard.proxy.admin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
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
 * sends CORS fields, so no other origin can read its answers either. Stateless; thread-safe.
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
}
