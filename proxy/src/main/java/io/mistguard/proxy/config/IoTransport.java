package io.mistguard.proxy.config;

import java.util.Locale;

/**
 * The {@code io_transport} setting: which kernel interface mistguard's event loops use. {@link #AUTO}
 * (the default) takes epoll, else Java NIO, and never io_uring (Netty's io_uring misses some peers'
 * resets: {@code net.Transport}); the others
 * insist on one, and mistguard refuses to start where that one cannot run (the choice itself is made
 * by {@code net.Transport}). Needs a restart to change.
 */
public enum IoTransport {
    AUTO, IO_URING, EPOLL, NIO;

    /** The name used in the config file: {@code auto}, {@code io_uring}, {@code epoll} or {@code nio}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a {@link #configName()}; anything else is an error naming them all. */
    public static IoTransport parse(String text) {
        for (IoTransport t : values()) {
            if (t.configName().equals(text)) {
                return t;
            }
        }
        throw new IllegalArgumentException(Quotes.quote(text) + " is not an I/O transport (expected: "
                                           + EXPECTED + ")");
    }

    /** The accepted names, for messages. */
    public static final String EXPECTED = "auto, io_uring, epoll or nio";
}
