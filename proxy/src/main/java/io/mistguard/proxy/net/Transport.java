package io.mistguard.proxy.net;

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
import java.util.List;

/**
 * The I/O transport: native epoll where available (Linux, the production target), Java NIO
 * elsewhere. One choice for both the listener and the upstream client, so that upstream channels
 * can be registered on the callers' own event loops.
 */
public record Transport(String name, IoHandlerFactory ioHandlerFactory,
                        Class<? extends ServerChannel> serverChannelClass,
                        Class<? extends SocketChannel> socketChannelClass) {

    /** Native epoll if it loads on this machine, otherwise NIO: the first of {@link #available()}. */
    public static Transport best() {
        return Epoll.isAvailable() ? epoll() : nio(); // the NIO classes load only where they are used
    }

    /** Every transport that works on this machine, best first: native epoll if it loads, then NIO. */
    public static List<Transport> available() {
        return Epoll.isAvailable() ? List.of(epoll(), nio()) : List.of(nio());
    }

    public static Transport nio() {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }

    static Transport epoll() {
        return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                EpollSocketChannel.class);
    }

    /** A new event loop group of this transport; {@code threads == 0} means one per core. */
    public MultiThreadIoEventLoopGroup newGroup(int threads, String threadNamePrefix) {
        return new MultiThreadIoEventLoopGroup(threads,
                new io.netty.util.concurrent.DefaultThreadFactory(threadNamePrefix, true), ioHandlerFactory);
    }
}
