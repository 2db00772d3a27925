package io.mistguard.proxy.net;

import io.mistguard.proxy.config.IoTransport;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The I/O transport: native epoll (Linux, the production target), else Java NIO; Linux io_uring
 * only when the operator asks for it. One choice for the listeners and the upstream client, so that
 * upstream channels can be registered on the callers' own event loops.
 *
 * <p>Why io_uring is not the default, though it is cheaper: an event loop submits every receive and
 * send of one turn in one {@code io_uring_enter}, and under the small-GET pass-through load of
 * {@code deploy/bench}, one core saturated, mistguard spent about a quarter less CPU per request on
 * it than on epoll (README, Operations, "Transport"). But Netty 4.2.18's io_uring
 * channel has two faults at the connection's edge, measured over loopback on Linux 6.18:
 * <ul>
 *   <li>With Netty's default, multishot {@code POLL_ADD}, it does not see some peers' TCP resets:
 *       26 of 900 Mist answers cut by a reset became a 504 at the route's timeout instead of a
 *       502 at once, and 94 of 300 callers that reset while Mist hung were never seen to leave,
 *       so their upstream work ran on to its timeout ({@code PeerResetSeenRegressionIT}).</li>
 *   <li>With single-shot poll ({@code -Dio.netty.iouring.pollAddMultishotEnabled=false}), which
 *       sees every reset, a connection closed while its peer was still sending (a 413 for an
 *       oversized chunked body) keeps a poll armed in the ring. That poll holds the socket, so the
 *       kernel never sends the FIN, and the caller waits for a close that never comes (io_uring
 *       keeps a file referenced while any request on it is pending).</li>
 * </ul>
 * epoll has neither fault. {@code io_transport: io_uring} runs Netty's defaults, the first fault included.
 *
 * <p>Operators choose with {@code io_transport} ({@link #of}); {@code auto} is {@link #best()}.
 * Immutable; thread-safe.
 */
public record Transport(String name, IoHandlerFactory ioHandlerFactory,
                        Class<? extends ServerChannel> serverChannelClass,
                        Class<? extends SocketChannel> socketChannelClass) {

    /** Native epoll if it loads, else NIO; never io_uring (see the class's note). */
    public static Transport best() {
        return Epoll.isAvailable() ? epoll() : nio();
    }

    /** Every transport that works on this machine: io_uring, epoll, then NIO (always). */
    public static List<Transport> available() {
        List<Transport> all = new ArrayList<>(3);
        if (IoUring.isAvailable()) {
            all.add(ioUring());
        }
        if (Epoll.isAvailable()) {
            all.add(epoll());
        }
        all.add(nio());
        return List.copyOf(all);
    }

    /**
     * The transport {@code io_transport} asks for: {@link IoTransport#AUTO} is {@link #best()}.
     *
     * @throws IllegalArgumentException if it names a transport this machine cannot run, with
     *         {@link #unavailability}'s message
     */
    public static Transport of(IoTransport wanted) {
        String unavailable = unavailability(wanted);
        if (unavailable != null) {
            throw new IllegalArgumentException(unavailable);
        }
        return switch (wanted) {
            case AUTO -> best();
            case IO_URING -> ioUring();
            case EPOLL -> epoll();
            case NIO -> nio();
        };
    }

    /**
     * Why {@code wanted} cannot run on this machine, as a configuration problem naming the key
     * ({@code "io_transport: io_uring is not available on this machine (<the kernel's or the
     * native library's reason>); set io_transport: auto ..."}), or {@code null} if it can.
     * {@code auto} and {@code nio} always can. Checked before start and by {@code check-config},
     * so that a host or container that refuses io_uring (seccomp, {@code kernel.io_uring_disabled})
     * gets a configuration refusal, not a failed start.
     */
    public static String unavailability(IoTransport wanted) {
        Throwable cause = switch (wanted) {
            case AUTO, NIO -> null;
            case IO_URING -> IoUring.isAvailable() ? null : orUnknown(IoUring.unavailabilityCause());
            case EPOLL -> Epoll.isAvailable() ? null : orUnknown(Epoll.unavailabilityCause());
        };
        if (cause == null) {
            return null;
        }
        return "io_transport: " + wanted.configName() + " is not available on this machine ("
                + reason(cause) + "); set io_transport: auto to use epoll, else NIO";
    }

    private static Throwable orUnknown(Throwable cause) {
        return cause != null ? cause : new IllegalStateException("no reason given");
    }

    /** The innermost message of {@code cause}'s chain: the kernel's or the loader's own words. */
    private static String reason(Throwable cause) {
        String reason = null;
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                reason = t.getMessage();
            }
        }
        return reason != null ? reason : cause.getClass().getSimpleName();
    }

    public static Transport nio() {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }

    static Transport epoll() {
        return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                EpollSocketChannel.class);
    }

    static Transport ioUring() {
        return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                IoUringSocketChannel.class);
    }

    /** A new event loop group of this transport; {@code threads == 0} means one per core. */
    public MultiThreadIoEventLoopGroup newGroup(int threads, String threadNamePrefix) {
        return new MultiThreadIoEventLoopGroup(threads,
                new io.netty.util.concurrent.DefaultThreadFactory(threadNamePrefix, true), ioHandlerFactory);
    }
}
