package io.mistguard.proxy.classify;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;

/**
 * A request header read the way Mist reads it, so that mistguard and Mist never take a different line
 * of a repeated field. MistServer's {@code HTTP::Parser} ({@code lib/http_parser.cpp}) puts every line
 * into a case-sensitive map keyed by the name as sent, so a later line of a name replaces an earlier
 * one; {@code GetHeader} returns the exact name's entry, and only when there is none the first entry,
 * in the map's (byte-wise) order of names, whose name matches ignoring case. So
 * {@code Content-Type: a} then {@code content-type: b} reads {@code a}, and two {@code Content-Type}
 * lines read the second.
 *
 * <p>Used for the fields whose value decides what Mist does or answers: {@code Content-Type} (how
 * the command is read) and the fields Mist echoes in its Prometheus answers. Values are trimmed of
 * spaces and tabs, as Mist's {@code SetHeader} does (Netty has already). Stateless; thread-safe;
 * walks the headers once, allocating nothing for the usual one line.
 */
public final class MistHeaders {

    private MistHeaders() {
    }

    /**
     * The value Mist's {@code GetHeader(name)} returns for these request headers, or {@code null} when
     * no line's name matches {@code name} ignoring case.
     *
     * @param name the name as Mist's code spells it ({@code "Content-Type"}, {@code "Host"}, …)
     */
    public static String get(HttpHeaders headers, String name) {
        String exact = null;
        CharSequence foldedName = null;
        String folded = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> line = it.next();
            CharSequence lineName = line.getKey();
            if (lineName.length() != name.length()) {
                continue;
            }
            if (AsciiString.contentEquals(lineName, name)) {
                exact = line.getValue().toString(); // a later line replaces an earlier one
            } else if (AsciiString.contentEqualsIgnoreCase(lineName, name)
                       && (foldedName == null || compare(lineName, foldedName) <= 0)) {
                // the first such name in the map's order, and the last line of that name
                foldedName = lineName;
                folded = line.getValue().toString();
            }
        }
        return exact != null ? exact : folded;
    }

    /** Byte-wise order of two names of equal length, as a {@code std::map<std::string, …>} keeps them. */
    private static int compare(CharSequence a, CharSequence b) {
        for (int i = 0; i < a.length(); i++) {
            int d = a.charAt(i) - b.charAt(i);
            if (d != 0) {
                return d;
            }
        }
        return 0;
    }
}
