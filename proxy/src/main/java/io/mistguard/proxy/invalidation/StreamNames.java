package io.mistguard.proxy.invalidation;

/**
 * Which stream names the queue accepts: the state file stores one name per line, so a name must be
 * non-empty and free of control characters (line breaks above all).
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
            if (Character.isISOControl(name.charAt(i))) {
                return "control character at position " + i + " of stream name";
            }
        }
        return null;
    }
}
