package io.mistguard.proxy.config;

/**
 * Quotes text from the config file for error messages, so that an empty value, trailing spaces
 * or a stray quote are visible to the operator instead of disappearing in the message. Public
 * because the value parsers here and the YAML binder ({@code config.yaml}) must quote alike.
 */
public final class Quotes {

    private Quotes() {}

    public static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
