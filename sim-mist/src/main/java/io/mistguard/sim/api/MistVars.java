package io.mistguard.sim.api;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * URL-encoded text read the way MistServer 3.10 reads it ({@code HTTP::parseVars} in
 * {@code lib/http_parser.cpp}, {@code Encodings::URL::decode} in {@code lib/encode.cpp}):
 * <ul>
 *   <li>variables are separated by {@code &} only ({@code ;} is an ordinary character), with no
 *       limit on how many there are;
 *   <li>a name without {@code =} has an empty value; an empty name is skipped;
 *   <li>names and values are decoded, and stored in a map, so <b>a later variable of the same name
 *       replaces an earlier one</b> (also across calls: Mist parses the query first, then a form
 *       body into the same map, so the body's variables win);
 *   <li>{@code %} takes the next two characters whatever they are (a non-hex character yields what
 *       Mist's arithmetic makes of it, never an error); {@code +} is a space in variables but not
 *       in the path.
 * </ul>
 * Input strings hold one byte per char (ISO-8859-1, as Netty hands over a request line); the
 * decoded bytes are read as UTF-8. Stateless; thread-safe.
 */
final class MistVars {

    private MistVars() {
    }

    /** Adds the variables of {@code data} to {@code storage}, each replacing any earlier one of its name. */
    static void parse(String data, Map<String, String> storage) {
        int pos = 0;
        while (pos < data.length()) {
            int next = data.indexOf('&', pos);
            if (next < 0) {
                next = data.length();
            }
            // '=' is looked for only up to the next '&' (linear time; Mist's result is the same).
            int eq = indexOf(data, '=', pos, next);
            String name = data.substring(pos, eq >= 0 ? eq : next);
            if (!name.isEmpty()) {
                storage.put(decode(name, true), eq >= 0 ? decode(data.substring(eq + 1, next), true) : "");
            }
            pos = next + 1;
        }
    }

    /**
     * Decodes {@code in} as Mist's {@code URL::decode} does.
     *
     * @param plusIsSpace {@code true} for variables, {@code false} for the path
     */
    static String decode(String in, boolean plusIsSpace) {
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
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Mist's {@code Hex::ord}: a hex digit's value, and something for any other byte. */
    private static int ord(char c) {
        return (c & 15) + (((c & 64) >> 6) | ((c & 64) >> 3));
    }

    private static int indexOf(String data, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }
}
