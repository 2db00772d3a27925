package io.mistguard.proxy.net;

import io.netty.channel.uring.IoUring;

/**
 * Keeps Netty's io_uring transport off multishot {@code POLL_ADD}, in which it misses a peer's reset.
 *
 * <p>The fault, measured over loopback with Netty 4.2.18 on Linux 6.18: with multishot poll (Netty's
 * default), an io_uring channel did not see the peer's RST in 2–3% of upstream answers cut by a reset,
 * so the caller got a 504 at the route's timeout instead of a 502 at once; and it did not see the
 * caller's RST in about 30% of callers that reset while Mist was slow, so their upstream work ran on
 * to its full timeout and the caller-gone cancellation never happened. With single-shot poll (a fresh
 * {@code POLL_ADD} per wait) and on epoll, every reset was seen (0 of 900 and 0 of 300 missed).
 * Netty's issue 17049 reports the same family: a multishot poll's cancellation racing the channel's
 * read state. Tests: {@code PeerResetSeenRegressionIT}.
 *
 * <p>Netty reads the switch, the system property {@value #PROPERTY}, once, when {@link IoUring} is
 * first initialised; so {@link #apply()} must run before any io_uring class is touched, which
 * {@link Transport} ensures from its own initialiser. An operator who sets the property on the
 * command line keeps their value; {@link #safe()} then tells {@link Transport#best()} not to pick
 * io_uring on its own.
 *
 * <p>Thread-safe: {@link #apply()} is idempotent and runs once per class initialisation.
 */
final class IoUringPollMode {

    /** Netty's switch for multishot {@code POLL_ADD}; {@code true} (multishot) unless set. */
    static final String PROPERTY = "io.netty.iouring.pollAddMultishotEnabled";

    private IoUringPollMode() {}

    /** Sets {@value #PROPERTY} to {@code false} unless it is set already. Call before io_uring initialises. */
    static void apply() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "false");
        }
    }

    /**
     * Whether io_uring sees every peer reset in this JVM: multishot poll is off (or unsupported by the
     * kernel). Initialises {@link IoUring}; call only where io_uring is available.
     */
    static boolean safe() {
        return !IoUring.isPollAddMultishotEnabled();
    }
}
