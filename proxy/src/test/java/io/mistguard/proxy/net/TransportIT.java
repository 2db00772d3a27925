package io.mistguard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.mistguard.proxy.config.IoTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which transport {@code io_transport} gets, and what the kernel tells mistguard about a connection
 * on each native one ({@link TcpState}), over real loopback sockets.
 */
class TransportIT {

    static List<Transport> nativeTransports() {
        return Transport.available().stream().filter(t -> !t.name().equals("nio")).toList();
    }

    /** Regression: auto took io_uring, whose Netty 4.2.18 channel misses some peers' resets (Transport's javadoc). */
    @Test
    void autoTakesEpollWhereItRunsThenNioAndNeverIoUring() {
        assumeThat(Epoll.isAvailable()).as("epoll on this machine").isTrue();

        assertThat(Transport.available()).extracting(Transport::name).contains("epoll").endsWith("nio");
        assertThat(Transport.of(IoTransport.AUTO).name()).isEqualTo("epoll");
        assertThat(Transport.best().name()).isEqualTo("epoll");
    }

    @Test
    void ioUringRunsOnlyWhenAskedFor() {
        assumeThat(IoUring.isAvailable()).as("io_uring on this machine").isTrue();

        assertThat(Transport.available()).extracting(Transport::name).startsWith("io_uring");
        assertThat(Transport.of(IoTransport.IO_URING).name()).isEqualTo("io_uring");
        assertThat(Transport.of(IoTransport.AUTO).name()).isNotEqualTo("io_uring");
    }

    @Test
    void eachTransportThatRunsHereIsTheOneAskedFor() {
        for (Transport transport : Transport.available()) {
            IoTransport wanted = IoTransport.valueOf(transport.name().toUpperCase(Locale.ROOT));
            assertThat(Transport.of(wanted).name()).isEqualTo(transport.name());
        }
        assertThat(Transport.of(IoTransport.NIO).name()).isEqualTo("nio");
    }

    @ParameterizedTest
    @MethodSource("nativeTransports")
    void theKernelsTcpStateIsReadOnEveryNativeTransportAndSeesAReset(Transport transport) throws Exception {
        MultiThreadIoEventLoopGroup group = transport.newGroup(1, "tcp-state-test");
        try {
            CompletableFuture<Channel> accepted = new CompletableFuture<>();
            Channel server = new ServerBootstrap().group(group).channel(transport.serverChannelClass())
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            accepted.complete(ch);
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            Channel client = new Bootstrap().group(group).channel(transport.socketChannelClass())
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(server.localAddress()).sync().channel();
            try {
                Channel peer = accepted.get(5, TimeUnit.SECONDS);
                assertThat(TcpState.state(client)).as("TCP_ESTABLISHED").isEqualTo(1);
                assertThat(TcpState.established(client)).isTrue();
                assertThat(TcpState.ended(client)).isFalse();

                peer.config().setOption(ChannelOption.SO_LINGER, 0); // close with a reset
                peer.close().sync();

                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!TcpState.ended(client) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(TcpState.ended(client)).as("the reset is seen").isTrue();
                assertThat(TcpState.established(client)).isFalse();
            } finally {
                client.close().sync();
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
