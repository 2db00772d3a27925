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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code upstream.idle_timeout} over real sockets: a connection parked in the pool is closed once it
 * sat unused that long, and a call that takes it before then is never cut by that clock, however long
 * Mist then takes. (The idle clock moved from an {@code IdleStateHandler} on every read and write to
 * one timer per parking.)
 */
class UpstreamIdleTimeoutIT {

    private static final Duration IDLE = Duration.ofMillis(300);

    private EventLoopGroup group;
    private SimMist mist;
    private UpstreamClient client;

    @BeforeEach
    void start() throws Exception {
        Transport transport = Transport.best();
        group = transport.newGroup(1, "test-io");
        mist = SimMist.builder().start();
        UpstreamConfig defaults = UpstreamConfig.defaults();
        client = new UpstreamClient(new UpstreamConfig("127.0.0.1", mist.port(), defaults.connectTimeout(), 4, IDLE,
                                                       defaults.maxResponseBytes()), transport);
    }

    @AfterEach
    void stop() throws Exception {
        client.close(Duration.ofSeconds(2));
        mist.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(2, TimeUnit.SECONDS);
    }

    @Test
    void aPooledConnectionUnusedForTheIdleTimeoutIsClosedByUs() throws Exception {
        EventLoop loop = group.next();
        call(loop).release();

        assertThat(mist.recording().awaitConnectionsClosedByPeer(1, Duration.ofSeconds(5))).isTrue();
        assertThat(mist.recording().connectionsOpen()).isZero();
    }

    @Test
    void aCallOnAParkedConnectionOutlastsTheIdleTimeout() throws Exception {
        EventLoop loop = group.next();
        call(loop).release();
        mist.faults().add(FaultRule.any().delay(IDLE.multipliedBy(3)).times(1));

        FullHttpResponse slow = call(loop); // reuses the parked connection: its idle clock must stop

        assertThat(slow.status().code()).isEqualTo(200);
        slow.release();
        assertThat(mist.recording().connectionsOpened()).isEqualTo(1);
    }

    private FullHttpResponse call(EventLoop loop) throws Exception {
        Future<UpstreamCall> started =
                loop.submit(() -> client.call(loop, PushListRequest.create(), TimeUnit.SECONDS.toNanos(10)));
        Future<FullHttpResponse> result = started.get().result();
        assertThat(result.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(result.cause()).isNull();
        return result.getNow();
    }
}
