package io.mistguard.proxy;

import static java.util.Objects.requireNonNull;

import io.mistguard.proxy.config.HostPort;

/**
 * A listener that could not bind: which one ({@code listen} or {@code admin.listen}, the config
 * key that sets it), its address, and the operating system's reason. {@link Mistguard#start} throws
 * it after releasing everything it had started, so the command line can say in one line which
 * address is taken and how to change it, instead of printing Netty's stack trace.
 */
public final class ListenFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final HostPort address;

    ListenFailure(String key, HostPort address, Throwable cause) {
        super(key + " " + address + ": " + reason(cause), cause);
        this.key = requireNonNull(key, "key");
        this.address = requireNonNull(address, "address");
    }

    /** The config key of the listener: {@code listen} or {@code admin.listen}. */
    public String key() {
        return key;
    }

    public HostPort address() {
        return address;
    }

    /** The operating system's words, without Netty's prefix ({@code bind(..) failed with error(-98): }). */
    public String reason() {
        return reason(getCause());
    }

    private static String reason(Throwable cause) {
        if (cause instanceof java.nio.channels.UnresolvedAddressException) {
            // Found by review: printed as the bare class name, which says nothing of the cause.
            return "the host name does not resolve to an address here (expected: an address, or a name "
                   + "this host resolves, like 127.0.0.1 or localhost)";
        }
        String message = cause == null || cause.getMessage() == null ? String.valueOf(cause) : cause.getMessage();
        return message.replaceFirst("^bind\\(\\.\\.\\) failed[^:]*: ", "");
    }
}
