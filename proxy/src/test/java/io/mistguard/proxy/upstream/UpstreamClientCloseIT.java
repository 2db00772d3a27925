package io.mistguard.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.UpstreamConfig;
import io.mistguard.proxy.net.Transport;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Regression: a call still in flight when mistguard stopped (the invalidation drainer's hung call)
 * was never finished, because a terminating event loop closes channels without firing their close
 * events; its request buffer leaked. Closing the client now cancels such calls first.
 */
class UpstreamClientCloseIT {

    @Test
    void callInFlightWhenTheClientClosesIsCancelledAndItsConnectionClosed() throws Exception {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1, "test-io");
        try (SimMist mist = SimMist.builder().start()) {
            mist.faults().add(FaultRule.any().hang());
            UpstreamConfig defaults = UpstreamConfig.defaults();
            UpstreamClient client = new UpstreamClient(new UpstreamConfig("127.0.0.1", mist.port(),
                    defaults.connectTimeout(), 4, defaults.idleTimeout(), defaults.maxResponseBytes()), transport);
            EventLoop loop = group.next();

            Future<UpstreamCall> started =
                    loop.submit(() -> client.call(loop, PushListRequest.create(), TimeUnit.MINUTES.toNanos(1)));
            Future<FullHttpResponse> result = started.get().result();
            assertThat(awaitRequest(mist)).isTrue();

            client.close(Duration.ofSeconds(2));

            assertThat(result.await(2, TimeUnit.SECONDS)).isTrue();
            assertThat(result.cause()).isInstanceOfSatisfying(UpstreamException.class,
                    e -> assertThat(e.failure()).isEqualTo(UpstreamFailure.CANCELLED));
            assertThat(mist.recording().awaitConnectionsClosedByPeer(1, Duration.ofSeconds(2))).isTrue();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(2, TimeUnit.SECONDS);
        }
    }

    private static boolean awaitRequest(SimMist mist) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (mist.recording().requestCount() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return mist.recording().requestCount() > 0;
    }
}
