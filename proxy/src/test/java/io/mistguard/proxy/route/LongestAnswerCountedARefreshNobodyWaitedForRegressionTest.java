package io.mistguard.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.ReadCaching;
import io.mistguard.proxy.config.RejectionConfig;
import io.mistguard.proxy.config.RetryConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.config.RouteKind;
import io.mistguard.proxy.config.RouteMatch;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.policy.PolicyHarness;
import io.mistguard.proxy.policy.PolicyHooks;
import io.mistguard.proxy.policy.PolicyRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: a route's {@code longest_answer_ms} ({@code /admin/routes}), "the longest any caller
 * waited", was taken from the policed calls, not from the callers' answers: a background refresh
 * that nobody waited for set it to the refresh's time at Mist, while every caller had been answered
 * at once from the stored reply. It is the longest wait of a caller now, whatever answered it.
 */
class LongestAnswerCountedARefreshNobodyWaitedForRegressionTest {

    private final PolicyHarness h = new PolicyHarness();
    private final PolicyConfig config = new PolicyConfig(List.of(
            new RouteConfig("capabilities", RouteMatch.commands("capabilities"), RouteKind.READ, Duration.ofSeconds(4),
                            Duration.ofSeconds(2), RetryConfig.NONE, null, null, RejectionConfig.DEFAULTS, null,
                            new ReadCaching(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(10),
                                            true)),
            new RouteConfig("catch-all", RouteMatch.ANY, RouteKind.PASSTHROUGH, Duration.ofSeconds(4),
                            Duration.ofSeconds(4), RetryConfig.NONE, null, null, RejectionConfig.DEFAULTS, null,
                            ReadCaching.NONE)), Map.of(), Map.of());
    private final RouteDispatcher table = new RouteDispatcher(config, new PolicyRegistry(config, h.upstream, h.clock,
            new PolicyHooks(h.inflight, route -> io.mistguard.proxy.policy.RouteObserver.NONE, () -> 0.5), null),
            null, h.clock, null);

    @AfterEach
    void nothingLeftOver() {
        assertThat(h.finishedClean()).isTrue();
    }

    private Forwarder.Exchange capabilities() {
        FullHttpRequest request = h.tracked(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api",
                Unpooled.copiedBuffer("command=%7B%22capabilities%22%3Atrue%7D", StandardCharsets.UTF_8)));
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded");
        MistRequest mist = new CommandClassifier().classify("POST", "/api", "application/x-www-form-urlencoded",
                                                            request.content());
        return table.forward(h.loop, ByteBufAllocator.DEFAULT, request, mist, null);
    }

    @Test
    void aRefreshNobodyWaitedForIsNoCallersWait() {
        Forwarder.Exchange first = capabilities();
        h.advanceMillis(40);
        h.upstream.only().answer(200);
        h.runPending();
        assertThat(PolicyHarness.answer(first).reason()).isEqualTo(Decision.PROXIED);
        h.advance(Duration.ofSeconds(12)); // past fresh_for, within while_revalidate

        Forwarder.Exchange revalidating = capabilities();
        assertThat(PolicyHarness.answer(revalidating).reason()).as("answered at once").isEqualTo(Decision.STALE);
        h.advance(Duration.ofMillis(1500)); // the refresh behind it takes 1.5 s at Mist
        h.upstream.last().answer(200);
        h.runPending();

        assertThat(h.upstream.started).hasSize(2);
        assertThat(table.policies().route("capabilities").longestAnswer())
                .as("the first caller's 40 ms: nobody waited for the refresh").isEqualTo(Duration.ofMillis(40));
    }
}
