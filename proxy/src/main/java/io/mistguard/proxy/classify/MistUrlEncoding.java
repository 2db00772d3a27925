package io.mistguard.proxy.classify;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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

    /** The value of the last variable called {@code name} in {@code data}, decoded, or {@code null}. */
    public static String lastValue(String data, String name) {
        String raw = lastRawValue(data, name);
        return raw == null ? null : decode(raw, true);
    }

    /**
     * The value of the last variable called {@code name} in {@code data} as it stands in the data,
     * not decoded (so that its escapes can be checked), or {@code null}.
     */
    public static String lastRawValue(String data, String name) {
        String found = null;
        int pos = 0;
        while (pos < data.length()) {
            int next = data.indexOf('&', pos);
            if (next < 0) {
                next = data.length();
            }
            // Look for '=' only up to the next '&': searching the rest of the data for each variable
            // made a body of many variables without values cost quadratic time on the event loop.
            int eq = indexOf(data, '=', pos, next);
            boolean hasValue = eq >= 0;
            String key = data.substring(pos, hasValue ? eq : next);
            if (!key.isEmpty() && decode(key, true).equals(name)) {
                found = hasValue ? data.substring(eq + 1, next) : "";
            }
            pos = next + 1;
        }
        return found;
    }

    /**
     * Whether every {@code %} in {@code raw} starts an escape of two hex digits. Mist decodes any
     * other {@code %} with arithmetic of its own (see {@link #decode}): text that needs it was not
     * made by a URL encoder, and mistguard does not bet a command's meaning on that arithmetic.
     */
    public static boolean validEscapes(String raw) {
        for (int i = raw.indexOf('%'); i >= 0; i = raw.indexOf('%', i + 3)) {
            if (i + 2 >= raw.length() || !isHex(raw.charAt(i + 1)) || !isHex(raw.charAt(i + 2))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /** Whether {@code bytes} are well-formed UTF-8 (no overlong forms, surrogates or stray bytes). */
    public static boolean validUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static int indexOf(String data, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Decodes {@code in} (whose chars are bytes, as ISO-8859-1 holds them) the way Mist does.
     *
     * @param plusIsSpace {@code true} for variables, {@code false} for the path
     */
    public static String decode(String in, boolean plusIsSpace) {
        if (in.indexOf('%') < 0 && (!plusIsSpace || in.indexOf('+') < 0)) {
            return isAscii(in) ? in : utf8(in.getBytes(StandardCharsets.ISO_8859_1));
        }
        return utf8(decodeBytes(in, plusIsSpace));
    }

    /** Whether every char is below 0x80; a loop, not a stream: this runs for every request's path. */
    private static boolean isAscii(String in) {
        for (int i = 0; i < in.length(); i++) {
            if (in.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** The bytes {@link #decode} reads as UTF-8: what Mist's decoder produces. */
    public static byte[] decodeBytes(String in, boolean plusIsSpace) {
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
        return out.toByteArray();
    }

    /** Mist's {@code Hex::ord}: a hex digit's value, and something for any other byte. */
    private static int ord(char c) {
        return (c & 15) + (((c & 64) >> 6) | ((c & 64) >> 3));
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
