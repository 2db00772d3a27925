package io.mistguard.sim.api;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds the broken, oversized or non-HTTP bytes some faults send. Stateless. */
final class BodyMangler {

    private BodyMangler() {
    }

    /** Cuts the JSON in half and keeps Mist's trailing blank line, so it is never valid JSON. */
    static byte[] malformed(byte[] body) {
        int cut = Math.max(1, (body.length - 2) / 2);
        byte[] out = Arrays.copyOf(body, cut + 2);
        out[cut] = '\n';
        out[cut + 1] = '\n';
        return out;
    }

    /**
     * What a corrupted peer might send instead of a response: control bytes, a NUL and no HTTP
     * status line, ended by a blank line so that a reader waiting for one gets it and must decide.
     */
    static byte[] garbage() {
        return "\u0000\u0007\u001b[2J\u00ff\u00feMIST\u0000GARBAGE not http\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Adds a {@code "padding"} string field so the body, still valid JSON, is at least {@code size} bytes. */
    static byte[] huge(byte[] body, int size) {
        String text = new String(body, StandardCharsets.UTF_8);
        int close = text.lastIndexOf('}');
        if (close < 0) {
            return body;
        }
        String head = text.substring(0, close);
        String sep = head.trim().endsWith("{") ? "" : ",";
        String open = head + sep + "\"padding\":\"";
        String end = "\"}" + text.substring(close + 1);
        int fill = Math.max(0, size - open.length() - end.length());
        return (open + "x".repeat(fill) + end).getBytes(StandardCharsets.UTF_8);
    }
}
