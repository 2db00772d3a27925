package io.mistguard.proxy.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Removes hop-by-hop header fields before a message is forwarded, as RFC 9110 §7.6.1 requires: the
 * {@code Connection} field, every field it names, and {@code Proxy-Connection}, {@code Keep-Alive},
 * {@code TE}, {@code Transfer-Encoding} and {@code Upgrade}. Framing ({@code Content-Length},
 * {@code Connection}) is then set anew by whoever sends the message on.
 */
final class HopByHopHeaders {

    private static final List<CharSequence> ALWAYS = List.of(HttpHeaderNames.CONNECTION, "proxy-connection",
            HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.TE, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE);

    private HopByHopHeaders() {
    }

    static void strip(HttpHeaders headers) {
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            // The comma-separated tokens, trimmed, without String.split's regex check and array:
            // this runs for every request and every answer.
            for (int start = 0; start <= connection.length(); ) {
                int comma = connection.indexOf(',', start);
                int end = comma < 0 ? connection.length() : comma;
                String name = connection.substring(start, end).trim();
                if (!name.isEmpty()) {
                    headers.remove(name);
                }
                start = end + 1;
            }
        }
        for (CharSequence name : ALWAYS) {
            headers.remove(name);
        }
    }
}
