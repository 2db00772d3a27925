package io.mistguard.proxy.policy;

import static io.mistguard.proxy.policy.PolicyHarness.answer;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.ReadCaching;
import io.mistguard.proxy.config.RejectionConfig;
import io.mistguard.proxy.config.RetryConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.config.RouteKind;
import io.mistguard.proxy.config.RouteMatch;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.upstream.UpstreamFailure;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * What {@link PolicyHooks} hands the route tables: the backoff jitter, which reaches each exchange,
 * and the defaults of a table that needs no operations view.
 */
class PolicyHooksTest {

    private static final RetryConfig RETRY = new RetryConfig(2, Duration.ofMillis(50), Duration.ofMillis(500), 0.2, 3,
                                                             Duration.ofSeconds(10));

    @Test
    void theRegistrysBackoffUsesTheJitterOfItsHooks() {
        try (PolicyHarness h = new PolicyHarness()) {
            RouteConfig route = new RouteConfig("catch-all", RouteMatch.ANY, RouteKind.READ, Duration.ofSeconds(4),
                                                Duration.ofSeconds(2), RETRY, null, null, RejectionConfig.DEFAULTS,
                                                null, ReadCaching.NONE);
            PolicyHooks hooks = new PolicyHooks(h.inflight, r -> RouteObserver.NONE, () -> 0.5);
            PolicyRegistry registry = new PolicyRegistry(new PolicyConfig(List.of(route), Map.of(), Map.of()),
                                                         h.upstream, h.clock, hooks, null);
            FullHttpRequest request = h.tracked(PolicyHarness.request(null));

            Forwarder.Exchange caller = registry.call(0, h.loop, ByteBufAllocator.DEFAULT, request, null);
            h.upstream.only().fail(UpstreamFailure.RESET);
            h.advance(Duration.ofMillis(25).minusNanos(1));
            assertThat(h.upstream.started).hasSize(1);
            h.advance(Duration.ofNanos(1));

            assertThat(h.upstream.started).as("half of the 50ms ceiling").hasSize(2);
            h.upstream.last().answer(200);
            assertThat(caller.response().isDone()).isTrue();
            assertThat(answer((PolicyExchange) caller).attempts()).isEqualTo(2);
            assertThat(h.finishedClean()).isTrue();
        }
    }

    @Test
    void theDefaultJitterIsUniformOnAnyThread() throws Exception {
        DoubleSupplier jitter = new PolicyHooks(new Inflight(), r -> RouteObserver.NONE).jitter();
        double here = jitter.getAsDouble();
        double elsewhere = CompletableFuture.supplyAsync(jitter::getAsDouble).get();

        assertThat(List.of(here, elsewhere)).allSatisfy(sample -> assertThat(sample).isBetween(0.0, 1.0).isNotEqualTo(1.0));
        assertThat(PolicyHooks.none().jitter()).isSameAs(PolicyHooks.RANDOM_JITTER);
    }

    @Test
    void noneObservesNothing() {
        PolicyHooks none = PolicyHooks.none();
        RouteConfig route = new RouteConfig("catch-all", RouteMatch.ANY, RouteKind.PASSTHROUGH, Duration.ofSeconds(1),
                                            Duration.ofSeconds(1), RetryConfig.NONE, null, null,
                                            RejectionConfig.DEFAULTS, null, ReadCaching.NONE);

        assertThat(none.observers().apply(route)).isSameAs(RouteObserver.NONE);
        assertThat(none.inflight().list(0)).isEmpty();
    }
}
