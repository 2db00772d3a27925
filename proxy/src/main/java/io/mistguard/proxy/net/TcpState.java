package io.mistguard.proxy.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollSocketChannel;

/**
 * What the kernel knows about a TCP connection that the event loop may not have read yet, through
 * one {@code getsockopt(TCP_INFO)} (epoll transport only): whether the peer's FIN is in, or a reset
 * has ended the connection. On NIO nothing beyond {@link Channel#isActive()} is known. Stateless.
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

    private static Integer state(Channel channel) {
        if (channel instanceof EpollSocketChannel epoll) {
            try {
                return epoll.tcpInfo().state();
            } catch (ChannelException e) {
                return TCP_CLOSE;
            }
        }
        return null;
    }
}
