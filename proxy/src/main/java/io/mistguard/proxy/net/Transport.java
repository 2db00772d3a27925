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
 * a quarter less CPU per request on io_uring than on epoll (README, Operations, "Transport"). Where
 * io_uring is refused, as under Docker's default seccomp profile or with
 * {@code kernel.io_uring_disabled}, {@link #best()} is epoll.
 *
 * <p>Operators choose with {@code io_transport} ({@link #of}); {@code auto} is {@link #best()}.
 * Immutable; thread-safe.
 */
public record Transport(String name, IoHandlerFactory ioHandlerFactory,
                        Class<? extends ServerChannel> serverChannelClass,
                        Class<? extends SocketChannel> socketChannelClass) {

    /** io_uring if the kernel allows it, else native epoll if it loads, else NIO: the first of {@link #available()}. */
    public static Transport best() {
        // Not available().get(0): that makes NIO's handler factory too, and the NIO classes load only where used.
        return IoUring.isAvailable() ? ioUring() : Epoll.isAvailable() ? epoll() : nio();
    }

    /** Every transport that works on this machine, best first; NIO always. */
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
     * @throws IllegalArgumentException if it names a transport this machine cannot run, with the
     *         reason the kernel or the native library gave
     */
    public static Transport of(IoTransport wanted) {
        return switch (wanted) {
            case AUTO -> best();
            case IO_URING -> {
                if (!IoUring.isAvailable()) {
                    throw unavailable(wanted, IoUring.unavailabilityCause());
                }
                yield ioUring();
            }
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw unavailable(wanted, Epoll.unavailabilityCause());
                }
                yield epoll();
            }
            case NIO -> nio();
        };
    }

    private static IllegalArgumentException unavailable(IoTransport wanted, Throwable cause) {
        return new IllegalArgumentException("io_transport: " + wanted.configName() + " is not available on this machine ("
                + (cause == null ? "no reason given" : cause) + "); set io_transport: auto to use the best one that is",
                cause);
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
