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
 * The I/O transport: Linux io_uring where the kernel allows it, else native epoll (Linux, the
 * production target), else Java NIO. One choice for the listeners and the upstream client, so that
 * upstream channels can be registered on the callers' own event loops.
 *
 * <p>Why io_uring first: an event loop submits every receive and send of one turn in one
 * {@code io_uring_enter} instead of a system call each, and a system call is dear in a VM. Under
 * the small-GET pass-through load of {@code deploy/bench}, one core saturated, mistguard spent about
 * a quarter less CPU per request on io_uring than on epoll (README, Operations, "Transport"; measured
 * with Netty's multishot poll, before {@link IoUringPollMode}). Where
 * io_uring is refused, as under Docker's default seccomp profile or with
 * {@code kernel.io_uring_disabled}, {@link #best()} is epoll.
 *
 * <p>io_uring runs with single-shot poll ({@link IoUringPollMode}): with Netty's default, multishot
 * poll, it missed some peers' resets. This class's initialiser sets that before any io_uring class
 * loads.
 *
 * <p>Operators choose with {@code io_transport} ({@link #of}); {@code auto} is {@link #best()}.
 * Immutable; thread-safe.
 */
public record Transport(String name, IoHandlerFactory ioHandlerFactory,
                        Class<? extends ServerChannel> serverChannelClass,
                        Class<? extends SocketChannel> socketChannelClass) {

    static {
        IoUringPollMode.apply(); // before anything below initialises io_uring
    }

    /**
     * io_uring if the kernel allows it and it runs in single-shot poll mode (always, unless the
     * command line forced Netty's multishot poll back on: {@link IoUringPollMode}), else native epoll
     * if it loads, else NIO.
     */
    public static Transport best() {
        // Not available().get(0): that makes NIO's handler factory too, and the NIO classes load only where used.
        return IoUring.isAvailable() && IoUringPollMode.safe() ? ioUring() : Epoll.isAvailable() ? epoll() : nio();
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
                + reason(cause) + "); set io_transport: auto to use the best one that is";
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
