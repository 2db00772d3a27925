package io.mistguard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * mistguard sets no {@code TCP_NODELAY} option on its listeners' or its clients' bootstraps: Netty
 * turns Nagle's algorithm off on every socket channel it creates, and setting the option again cost
 * one {@code setsockopt} per connection (seen in {@code strace -c} under {@code hung-mist.sh}). This
 * pins the Netty default that the removal relies on, for every transport {@link Transport} can pick
 * here, on real loopback sockets: the state is read back from the kernel ({@code getsockopt}), not
 * from Netty's bookkeeping. It checks the default on bootstraps of its own, not mistguard's: a
 * bootstrap that set the option to {@code false} would not fail it.
 */
class TcpNoDelayByDefaultIT {

    static List<Transport> transports() {
        return Transport.available();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void acceptedAndConnectedChannelsHaveNagleOffWithoutSettingTheOption(Transport transport) throws Exception {
        MultiThreadIoEventLoopGroup group = transport.newGroup(1, "nodelay-test");
        try {
            CompletableFuture<Channel> accepted = new CompletableFuture<>();
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannelClass())
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            accepted.complete(ch);
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            Channel client = new Bootstrap()
                    .group(group)
                    .channel(transport.socketChannelClass())
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(server.localAddress()).sync().channel();
            try {
                assertThat(client.config().getOption(ChannelOption.TCP_NODELAY)).as("connected").isTrue();
                assertThat(accepted.get(5, TimeUnit.SECONDS).config().getOption(ChannelOption.TCP_NODELAY))
                        .as("accepted").isTrue();
            } finally {
                client.close().sync();
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
