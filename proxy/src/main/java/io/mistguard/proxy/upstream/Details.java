package io.mistguard.proxy.upstream;

/**
 * One line about an upstream failure's cause, for answer bodies and logs: its message, or its type
 * when it has none (a closed channel's exception carries no message, and "null" tells nobody
 * anything). Stateless.
 */
final class Details {

    private Details() {
    }

    static String of(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
