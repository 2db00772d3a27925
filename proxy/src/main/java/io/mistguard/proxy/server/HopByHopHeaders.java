package io.mistguard.proxy.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Removes hop-by-hop header fields before a message is forwarded, as RFC 9110 §7.6.1 requires: the
 * {@code Connection} field, every field it names, and {@code Proxy-Connection}, {@code Keep-Alive},
 * {@code TE}, {@code Transfer-Encoding} and {@code Upgrade}. Framing ({@code Content-Length},
 * {@code Connection}) is then set anew by whoever sends the message on.
 *
 * <p>Runs for every request and every answer, so it reads the fields once and removes only what is
 * there: a request without hop-by-hop fields costs one pass and no removal, an answer carrying
 * {@code Connection: keep-alive} two removals. (Removing each of the six names by lookup cost a
 * hash of each name and a scan of its bucket, twelve per pass-through, about 0.3 µs of CPU in
 * {@code deploy/bench/profile.sh}.) Stateless; not thread-safe for one {@code headers} object.
 */
final class HopByHopHeaders {

    /** Always hop-by-hop, whether or not {@code Connection} names them; {@code Connection} is first. */
    private static final AsciiString[] ALWAYS = {HttpHeaderNames.CONNECTION, AsciiString.cached("proxy-connection"),
            HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.TE, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE};

    private HopByHopHeaders() {
    }

    static void strip(HttpHeaders headers) {
        int present = 0; // bit i: a field named ALWAYS[i] is there
        String connection = null; // the first Connection field's value; later ones in more
        List<String> more = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> field = it.next();
            int always = alwaysIndex(field.getKey());
            if (always < 0) {
                continue;
            }
            present |= 1 << always;
            if (always == 0) {
                String value = field.getValue().toString();
                if (connection == null) {
                    connection = value;
                } else {
                    if (more == null) {
                        more = new ArrayList<>(2);
                    }
                    more.add(value);
                }
            }
        }
        if (connection != null) {
            removeNamed(headers, connection);
            if (more != null) {
                for (String value : more) {
                    removeNamed(headers, value);
                }
            }
        }
        for (int i = 0; present != 0; i++, present >>>= 1) {
            if ((present & 1) != 0) {
                headers.remove(ALWAYS[i]);
            }
        }
    }

    /**
     * Removes every field the comma-separated tokens of one {@code Connection} value name, trimmed. A
     * token naming one of {@link #ALWAYS} (the usual {@code keep-alive}) is skipped: that field, if
     * there, goes with the others, and a lookup of a field that is not there still costs a hash and a
     * bucket scan.
     */
    private static void removeNamed(HttpHeaders headers, String connection) {
        // Without String.split's regex check and array: this runs for most answers.
        for (int start = 0; start <= connection.length(); ) {
            int comma = connection.indexOf(',', start);
            int end = comma < 0 ? connection.length() : comma;
            String name = connection.substring(start, end).trim();
            if (!name.isEmpty() && alwaysIndex(name) < 0) {
                headers.remove(name);
            }
            start = end + 1;
        }
    }

    /** The index of {@code name} in {@link #ALWAYS} (case-insensitive), or -1. */
    private static int alwaysIndex(CharSequence name) {
        // The name's length read once, not by each of six comparisons (an interface call each), and
        // compared first: this runs for every field of every request and answer.
        int length = name.length();
        for (int i = 0; i < ALWAYS.length; i++) {
            if (ALWAYS[i].length() == length && ALWAYS[i].contentEqualsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }
}
