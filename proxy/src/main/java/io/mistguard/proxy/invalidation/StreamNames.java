package io.mistguard.proxy.invalidation;

/**
 * Which stream names the queue accepts: the state file stores one name per line, so a name must be
 * non-empty and free of control characters (line breaks above all); and it must be characters, with
 * no half of a UTF-16 surrogate pair alone (a JSON escape such as {@code "\ud800"} gives one), since
 * the UTF-8 of the call to Mist and of the state file cannot carry it: both turned it into {@code ?},
 * another stream's name (found by review).
 *
 * <p>Public so that the HTTP layer can refuse a whole request before queueing any of its names.
 * Stateless; thread-safe.
 */
public final class StreamNames {

    /** Far above Mist's own stream names ({@code video+<16 chars>}); guards memory, not syntax. */
    public static final int MAX_LENGTH = 512;

    private StreamNames() {
    }

    /** {@code null} when {@code name} is acceptable, otherwise why not. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "empty stream name";
        }
        if (name.length() > MAX_LENGTH) {
            return "stream name longer than " + MAX_LENGTH + " characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) {
                return "control character at position " + i + " of stream name";
            }
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++; // a pair: one character
            } else if (Character.isSurrogate(c)) {
                return "lone UTF-16 surrogate \\u" + Integer.toHexString(c) + " at position " + i
                        + " of stream name (not a character)";
            }
        }
        return null;
    }
}
