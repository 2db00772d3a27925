package io.mistguard.proxy.trigger;

import static io.mistguard.proxy.trigger.TriggerHarness.ms;
import static io.mistguard.proxy.trigger.TriggerHarness.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.BreakerConfig;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.TriggerDeliveryConfig;
import io.mistguard.proxy.config.TriggersConfig;
import io.mistguard.proxy.trigger.TriggerHarness.Result;
import io.mistguard.proxy.upstream.UpstreamFailure;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Non-blocking triggers on fake time: answered {@code 200} at once, then delivered by the bounded
 * queue, retried with backoff under the same {@code X-Trigger-UUID}, dropped after the last attempt,
 * and refused (never held without bound) when the queue is full.
 */
class TriggerDeliveriesTest {

    /** 3 attempts, backoff ceilings 200 ms then 400 ms (the jitter is pinned to 1). */
    private static final TriggerDeliveryConfig DELIVERY = new TriggerDeliveryConfig(2, 1 << 20, 1,
            Duration.ofSeconds(5), 3, Duration.ofMillis(200), Duration.ofSeconds(5));

    private static TriggersConfig config() {
        return TriggersConfig.defaults().withListen(new HostPort("127.0.0.1", 0)).withDelivery(DELIVERY);
    }

    @Test
    void answeredAtOnceThenDeliveredWithMistsHeadersAndBody() {
        try (TriggerHarness h = new TriggerHarness(config())) {
            TriggerService.Exchange e = h.send("USER_END", "sess-1", "video+s1", "HLS", "10.0.0.7", "12", "1000");
            assertThat(result(e)).isEqualTo(new Result(200, "", "queued", -1));
            TriggerHarness.Call call = h.only();
            assertThat(call.body).isEqualTo("sess-1\nvideo+s1\nHLS\n10.0.0.7\n12\n1000");
            assertThat(call.request.headers().get("X-Trigger")).isEqualTo("USER_END");

            call.answer(200, "");
            h.runPending();
            assertThat(h.deliveries).containsExactly("USER_END DELIVERED");
            assertThat(h.service.view().delivery().pending()).isZero();
        }
    }

    @Test
    void aFailedDeliveryIsRetriedAfterItsBackoffWithTheSameUuidThenDropped() {
        try (TriggerHarness h = new TriggerHarness(config())) {
            result(h.send("PUSH_END", "7", "video+s1", "rtmp://t"));
            h.only().answer(503, "");
            h.advance(ms(199));
            assertThat(h.calls).hasSize(1);
            h.advance(ms(1));
            assertThat(h.calls).hasSize(2);
            assertThat(h.last().uuid).isEqualTo(h.calls.get(0).uuid);
            assertThat(h.last().body).isEqualTo(h.calls.get(0).body);

            h.last().fail(UpstreamFailure.TIMEOUT);
            h.advance(ms(400));
            assertThat(h.calls).hasSize(3);
            h.last().fail(UpstreamFailure.CONNECT_REFUSED);
            h.advance(Duration.ofSeconds(10));

            assertThat(h.calls).as("max_attempts 3").hasSize(3);
            assertThat(h.deliveries).containsExactly("PUSH_END RETRIED", "PUSH_END RETRIED", "PUSH_END DROPPED");
            assertThat(h.service.view().delivery().pending()).isZero();
        }
    }

    @Test
    void aFullQueueRefusesWith503AndHoldsNothingMore() {
        try (TriggerHarness h = new TriggerHarness(config())) {
            assertThat(result(h.send("STREAM_BUFFER", "a")).decision()).isEqualTo("queued");
            assertThat(result(h.send("STREAM_BUFFER", "b")).decision()).isEqualTo("queued");

            Result refused = result(h.send("STREAM_BUFFER", "c"));

            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.decision()).isEqualTo("rejected; reason=trigger-queue-full");
            assertThat(h.service.view().delivery().pending()).isEqualTo(2);
            assertThat(h.service.view().delivery().refused()).isEqualTo(1);
            assertThat(h.calls).as("max_concurrent 1").hasSize(1);
            h.only().answer(200, "");
            h.runPending();
            assertThat(h.calls).hasSize(2);
        }
    }

    @Test
    void aClientErrorIsDroppedAtOnce() {
        try (TriggerHarness h = new TriggerHarness(config())) {
            result(h.send("LIVE_TRACK_LIST", "video+s1", "{}"));
            h.only().answer(400, "bad");
            h.advance(Duration.ofSeconds(10));
            assertThat(h.calls).hasSize(1);
            assertThat(h.deliveries).containsExactly("LIVE_TRACK_LIST DROPPED");
        }
    }

    /**
     * Regression: a delivery that failed for mistguard's own lack of direct memory was counted by
     * catalyst-api's breaker. It is retried after its backoff like any failure, and the breaker
     * records nothing.
     */
    @Test
    void ownOutOfMemoryIsRetriedWithoutCountingAgainstCatalystRegression() {
        try (TriggerHarness h = new TriggerHarness(config())) {
            result(h.send("PUSH_END", "7", "video+s1", "rtmp://t"));
            h.only().fail(UpstreamFailure.OUT_OF_MEMORY);
            h.advance(ms(200));
            assertThat(h.calls).as("retried after the backoff").hasSize(2);
            assertThat(h.service.view().breaker().calls()).as("not catalyst-api's failure").isZero();
            h.last().answer(200, "");
            h.runPending();
            assertThat(h.deliveries).containsExactly("PUSH_END RETRIED", "PUSH_END DELIVERED");
        }
    }

    @Test
    void anOpenBreakerHoldsDeliveriesWithoutUsingUpTheirAttempts() {
        TriggersConfig config = config().withPolicing(BreakerConfig.countWindow(100, 2, Duration.ofSeconds(2), 1),
                                                      TriggersConfig.defaults().admission());
        try (TriggerHarness h = new TriggerHarness(config)) {
            h.service.catalystBreaker().tryAcquire().failure();
            h.service.catalystBreaker().tryAcquire().failure();
            assertThat(h.service.view().breaker().state()).isEqualTo("open");

            result(h.send("USER_END", "x"));
            h.advance(ms(1999));
            assertThat(h.calls).isEmpty();
            h.advance(ms(1));
            assertThat(h.calls).hasSize(1);
            h.only().answer(200, "");
            h.runPending();
            assertThat(h.deliveries).containsExactly("USER_END DELIVERED");
        }
    }
}
