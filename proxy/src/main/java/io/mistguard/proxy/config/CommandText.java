package io.mistguard.proxy.config;

/**
 * Compares Mist command texts the way Mist reads them: whitespace outside JSON strings carries no
 * meaning, so {@code { "config": {} }} and {@code {"config":{}}} are the same command.
 */
public final class CommandText {

    private CommandText() {}

    /** Returns {@code json} without whitespace outside string literals. */
    public static String compact(String json) {
        StringBuilder out = new StringBuilder(json.length());
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\' && i + 1 < json.length()) {
                    out.append(json.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
                out.append(c);
            } else if (!Character.isWhitespace(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
