package io.mistguard.proxy.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

/**
 * What the kernel knows about a TCP connection that the event loop may not have read yet, through
 * one {@code getsockopt(TCP_INFO)} (the native transports, io_uring and epoll): whether the peer's FIN
 * is in, or a reset has ended the connection. On NIO nothing beyond {@link Channel#isActive()} is
 * known. Stateless.
 */
public final class TcpState {

    /** Linux {@code tcp_states.h}. */
    private static final int TCP_ESTABLISHED = 1;
    private static final int TCP_CLOSE = 7;

    private TcpState() {
    }

    /** Open, and not closed or half-closed by the peer as far as the kernel knows. */
    public static boolean established(Channel channel) {
        if (!channel.isActive()) {
            return false;
        }
        Integer state = state(channel);
        return state == null || state == TCP_ESTABLISHED;
    }

    /** The kernel has ended the connection (a reset arrived), whatever the channel still says. */
    public static boolean ended(Channel channel) {
        Integer state = state(channel);
        return !channel.isActive() || state != null && state == TCP_CLOSE;
    }

    /** The kernel's TCP state of the connection ({@code tcp_states.h}), or null on NIO. */
    static Integer state(Channel channel) {
        try {
            if (channel instanceof IoUringSocketChannel uring) {
                return uring.tcpInfo().state();
            }
            if (channel instanceof EpollSocketChannel epoll) {
                return epoll.tcpInfo().state();
            }
        } catch (ChannelException e) {
            return TCP_CLOSE;
        }
        return null;
    }
}
