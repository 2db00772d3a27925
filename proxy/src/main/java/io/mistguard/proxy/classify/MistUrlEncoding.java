package io.mistguard.proxy.classify;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * URL-encoded text read exactly as Mist reads it, so that mistguard and Mist never disagree about
 * what a request asks for. From MistServer's {@code lib/http_parser.cpp} ({@code parseVars}) and
 * {@code lib/encode.cpp} ({@code URL::decode}):
 * <ul>
 *   <li>variables are separated by {@code &} only (a {@code ;} is an ordinary character);
 *   <li>a name without {@code =} has an empty value; an empty name is skipped;
 *   <li>names and values are decoded; a later variable of the same name replaces an earlier one;
 *   <li>{@code %} takes the next two characters whatever they are (a non-hex character yields
 *       whatever Mist's arithmetic makes of it, never an error), and {@code +} is a space in
 *       variables but not in the path.
 * </ul>
 * Decoded bytes are read as UTF-8. Stateless; thread-safe.
 */
public final class MistUrlEncoding {

    private MistUrlEncoding() {
    }

    /** The value of the last variable called {@code name} in {@code data}, or {@code null}. */
    public static String lastValue(String data, String name) {
        String found = null;
        int pos = 0;
        while (pos < data.length()) {
            int next = data.indexOf('&', pos);
            if (next < 0) {
                next = data.length();
            }
            int eq = data.indexOf('=', pos);
            boolean hasValue = eq >= 0 && eq < next;
            String key = data.substring(pos, hasValue ? eq : next);
            if (!key.isEmpty() && decode(key, true).equals(name)) {
                found = hasValue ? decode(data.substring(eq + 1, next), true) : "";
            }
            pos = next + 1;
        }
        return found;
    }

    /**
     * Decodes {@code in} (whose chars are bytes, as ISO-8859-1 holds them) the way Mist does.
     *
     * @param plusIsSpace {@code true} for variables, {@code false} for the path
     */
    public static String decode(String in, boolean plusIsSpace) {
        if (in.indexOf('%') < 0 && (!plusIsSpace || in.indexOf('+') < 0)) {
            return in.chars().allMatch(c -> c < 0x80) ? in : utf8(in.getBytes(StandardCharsets.ISO_8859_1));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length());
        for (int i = 0; i < in.length(); i++) {
            char c = in.charAt(i);
            if (c == '%') {
                int b = 0;
                if (++i < in.length()) {
                    b = ord(in.charAt(i)) << 4;
                }
                if (++i < in.length()) {
                    b += ord(in.charAt(i));
                }
                out.write(b);
            } else {
                out.write(c == '+' && plusIsSpace ? ' ' : c);
            }
        }
        return utf8(out.toByteArray());
    }

    /** Mist's {@code Hex::ord}: a hex digit's value, and something for any other byte. */
    private static int ord(char c) {
        return (c & 15) + (((c & 64) >> 6) | ((c & 64) >> 3));
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
