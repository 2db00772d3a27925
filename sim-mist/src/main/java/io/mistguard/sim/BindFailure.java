package io.mistguard.sim;

/**
 * A sim-mist listener (the API port or the control port) that could not bind, with its address and
 * the operating system's reason. {@link SimMist} throws it after releasing its threads, so the
 * command line can print one line instead of Netty's stack trace.
 */
public final class BindFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String host;
    private final int port;

    BindFailure(String host, int port, Throwable cause) {
        super(host + ":" + port + ": " + reason(cause), cause);
        this.host = host;
        this.port = port;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The operating system's words ({@code Address already in use}). */
    public String reason() {
        return reason(getCause());
    }

    private static String reason(Throwable cause) {
        String message = cause == null || cause.getMessage() == null ? String.valueOf(cause) : cause.getMessage();
        return message.replaceFirst("^bind\\(\\.\\.\\) failed[^:]*: ", "");
    }
}
