package io.mistguard.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.config.AdmissionConfig;
import io.mistguard.proxy.config.BreakerConfig;
import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.ReadCaching;
import io.mistguard.proxy.config.RejectionConfig;
import io.mistguard.proxy.config.RetryConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.config.RouteKind;
import io.mistguard.proxy.config.RouteMatch;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.exchange.QueueHandoff;
import io.mistguard.proxy.invalidation.OfferOutcome;
import io.mistguard.proxy.invalidation.http.InvalidationForwarder;
import io.mistguard.proxy.policy.PolicyHarness;
import io.mistguard.proxy.policy.PolicyHooks;
import io.mistguard.proxy.policy.PolicyRegistry;
import io.mistguard.proxy.policy.RouteStatsSnapshot;
import io.mistguard.proxy.route.RouteDispatcher;
import io.mistguard.proxy.upstream.PrivateConnection;
import io.mistguard.proxy.upstream.UpstreamFailure;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: {@code mistguard_request_seconds} (and the admin {@code recent} figures and status page
 * read from it) counted policed calls to Mist, not answers to callers. Ten coalesced GetStates were
 * one observation (the shared call's), nine {@code fresh_for} hits none, five {@code queued}
 * invalidations none, and a background refresh nobody waited for was counted as an answer. Every
 * answer a caller gets, whatever gave it, is one observation from that caller's arrival to its
 * answer; {@code mistguard_upstream_seconds} stays one observation per attempt at Mist.
 *
 * <p>The whole route table (queue, cache, policed calls) on fake time with scripted attempts, the
 * real {@link Metrics} behind it.
 */
class RequestSecondsCountedMistCallsNotAnswersRegressionTest {

    private static final String MIST = "mist";
    private static final Duration BUDGET = Duration.ofSeconds(4);
    private static final String GET_STATE = "{\"active_streams\":true}";
    private static final String CAPABILITIES = "{\"capabilities\":true}";

    private final PolicyHarness h = new PolicyHarness();
    private final Metrics metrics = new Metrics();
    private final List<String> queued = new ArrayList<>();
    /** The real handoff in front of a queue that takes every name; the offer takes 30 ms of the clock. */
    private final QueueHandoff queue = new InvalidationForwarder(name -> {
        queued.add(name);
        h.step(Duration.ofMillis(30).toNanos());
        return OfferOutcome.QUEUED;
    });
    private final RouteDispatcher table = new RouteDispatcher(config(), new PolicyRegistry(config(), h.upstream,
            h.clock, new PolicyHooks(h.inflight, metrics::observer, () -> 0.5), null), queue, h.clock, null);

    @AfterEach
    void nothingLeftOver() {
        metrics.close();
        assertThat(h.finishedClean()).isTrue();
    }

    private static RouteConfig read(String name, String command, ReadCaching caching) {
        return new RouteConfig(name, RouteMatch.commands(command), RouteKind.READ, BUDGET, Duration.ofSeconds(2),
                               RetryConfig.NONE, MIST, MIST, RejectionConfig.DEFAULTS, null, caching);
    }

    /**
     * GetState coalesced, with last-known-good answers for 60 s; Capabilities as well, fresh for 10 s and
     * answered from the entry while it is refreshed for 10 s more; the invalidation queue; a catch-all.
     */
    private static PolicyConfig config() {
        return new PolicyConfig(List.of(
                read("get-state", "active_streams",
                     new ReadCaching(Duration.ofSeconds(60), Duration.ZERO, Duration.ZERO, true)),
                read("capabilities", "capabilities",
                     new ReadCaching(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(10), true)),
                new RouteConfig("invalidate-sessions", RouteMatch.commands("invalidate_sessions"), RouteKind.QUEUED,
                                BUDGET, BUDGET, RetryConfig.NONE, MIST, null, RejectionConfig.DEFAULTS, null,
                                ReadCaching.NONE),
                new RouteConfig("catch-all", RouteMatch.ANY, RouteKind.PASSTHROUGH, BUDGET, BUDGET, RetryConfig.NONE,
                                MIST, MIST, RejectionConfig.DEFAULTS, null, ReadCaching.NONE)),
                Map.of(MIST, BreakerConfig.countWindow(50, 4, Duration.ofSeconds(2), 1)),
                Map.of(MIST, new AdmissionConfig(4, 10, Duration.ofSeconds(1))));
    }

    private Forwarder.Exchange send(String command) {
        return send(command, null);
    }

    private Forwarder.Exchange send(String command, PrivateConnection privateConnection) {
        String form = "command=" + URLEncoder.encode(command, StandardCharsets.UTF_8);
        FullHttpRequest request = h.tracked(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api",
                Unpooled.copiedBuffer(form, StandardCharsets.UTF_8)));
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded");
        MistRequest mist = new CommandClassifier().classify("POST", "/api", "application/x-www-form-urlencoded",
                                                            request.content());
        return table.forward(h.loop, ByteBufAllocator.DEFAULT, request, mist, privateConnection);
    }

    /** Every caller's decision, each answer read (and released). */
    private static List<Decision> decisions(List<Forwarder.Exchange> callers) {
        return callers.stream().map(c -> PolicyHarness.answer(c).reason()).toList();
    }

    private long answered(String route) {
        RouteStatsSnapshot stats = table.policies().route(route);
        return stats.decisions().values().stream().mapToLong(Long::longValue).sum();
    }

    private static long within(RouteLatency latency, Duration bound) {
        int i = latency.bounds().indexOf(bound);
        assertThat(i).as("a bucket bound at " + bound).isNotNegative();
        return latency.within(i);
    }

    /** A count or sum as {@code /metrics} shows it. */
    private double scraped(String series, String route) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series + "{route=\"" + route + "\"}") + " (\\S+)$")
                .matcher(metrics.scrape());
        assertThat(m.find()).as(series + " of " + route).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void tenCoalescedCallersAreTenAnswersEachTimedFromItsOwnArrival() {
        List<Forwarder.Exchange> callers = new ArrayList<>();
        callers.add(send(GET_STATE));
        h.advanceMillis(800);
        for (int i = 0; i < 9; i++) {
            callers.add(send(GET_STATE)); // they join the call in flight
        }
        h.advanceMillis(200); // Mist took a second
        h.upstream.only().answer(200);
        h.runPending();

        assertThat(decisions(callers)).containsExactly(Decision.PROXIED, Decision.COALESCED, Decision.COALESCED,
                Decision.COALESCED, Decision.COALESCED, Decision.COALESCED, Decision.COALESCED, Decision.COALESCED,
                Decision.COALESCED, Decision.COALESCED);
        RouteLatency latency = metrics.latency("get-state");
        assertThat(latency.answers()).as("one per caller, as mistguard_decisions_total").isEqualTo(10)
                                     .isEqualTo(answered("get-state"));
        assertThat(within(latency, Duration.ofMillis(250))).as("the joiners waited 200 ms").isEqualTo(9);
        assertThat(within(latency, Duration.ofSeconds(1))).as("the first a second").isEqualTo(10);
        assertThat(scraped("mistguard_request_seconds_count", "get-state")).isEqualTo(10);
        assertThat(scraped("mistguard_request_seconds_sum", "get-state")).isCloseTo(1.0 + 9 * 0.2,
                                                                                    Offset.offset(1e-9));
        assertThat(scraped("mistguard_upstream_seconds_count", "get-state")).as("one attempt at Mist").isEqualTo(1);
        assertThat(table.policies().route("get-state").longestAnswer()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void freshHitsAreAnswersAndTheirWaitIsNone() {
        Forwarder.Exchange first = send(CAPABILITIES);
        h.advanceMillis(40);
        h.upstream.only().answer(200);
        h.runPending();
        List<Forwarder.Exchange> hits = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            hits.add(send(CAPABILITIES));
        }

        assertThat(PolicyHarness.answer(first).reason()).isEqualTo(Decision.PROXIED);
        assertThat(decisions(hits)).containsOnly(Decision.CACHED).hasSize(9);
        RouteLatency latency = metrics.latency("capabilities");
        assertThat(latency.answers()).isEqualTo(10).isEqualTo(answered("capabilities"));
        assertThat(within(latency, Duration.ofMillis(5))).as("the hits, at once").isEqualTo(9);
        assertThat(within(latency, Duration.ofMillis(50))).isEqualTo(10);
        assertThat(scraped("mistguard_upstream_seconds_count", "capabilities")).isEqualTo(1);
    }

    @Test
    void queuedInvalidationsAreAnswersTimedToTheQueuesAnswer() {
        List<Forwarder.Exchange> callers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            callers.add(send("{\"invalidate_sessions\":\"s" + i + "\"}"));
        }

        assertThat(decisions(callers)).containsOnly(Decision.QUEUED).hasSize(5);
        assertThat(queued).hasSize(5);
        RouteLatency latency = metrics.latency("invalidate-sessions");
        assertThat(latency.answers()).isEqualTo(5).isEqualTo(answered("invalidate-sessions"));
        assertThat(within(latency, Duration.ofMillis(25))).as("each waited for its offer, 30 ms").isZero();
        assertThat(within(latency, Duration.ofMillis(50))).isEqualTo(5);
        assertThat(scraped("mistguard_upstream_seconds_count", "invalidate-sessions")).isZero();
    }

    @Test
    void aBackgroundRefreshIsNoAnswerAndTheCallerItServedIsOne() {
        Forwarder.Exchange first = send(CAPABILITIES);
        h.upstream.only().answer(200);
        h.runPending();
        assertThat(PolicyHarness.answer(first).reason()).isEqualTo(Decision.PROXIED);
        h.advance(Duration.ofSeconds(12)); // past fresh_for, within while_revalidate

        Forwarder.Exchange revalidating = send(CAPABILITIES);
        assertThat(PolicyHarness.answer(revalidating).reason()).isEqualTo(Decision.STALE);
        h.advance(Duration.ofMillis(1500)); // the refresh, which nobody waits for, takes 1.5 s
        h.upstream.last().answer(200);
        h.runPending();

        RouteLatency latency = metrics.latency("capabilities");
        assertThat(latency.answers()).isEqualTo(2).isEqualTo(answered("capabilities"));
        assertThat(within(latency, Duration.ofMillis(5))).as("both answered at once").isEqualTo(2);
        assertThat(latency.staleAnswers()).isEqualTo(1);
        assertThat(scraped("mistguard_upstream_seconds_count", "capabilities")).isEqualTo(2);
        assertThat(table.policies().route("capabilities").longestAnswer())
                .as("the refresh kept no caller waiting").isZero();
    }

    @Test
    void everyCallerAnsweredStaleOrRefusedForAFailedSharedCallIsOneAnswer() {
        Forwarder.Exchange stored = send(GET_STATE);
        h.upstream.only().answer(200);
        h.runPending();
        PolicyHarness.answer(stored);
        h.advance(Duration.ofSeconds(3));
        List<Forwarder.Exchange> stale = List.of(send(GET_STATE), send(GET_STATE), send(GET_STATE));
        h.advanceMillis(80);
        h.upstream.last().fail(UpstreamFailure.RESET);
        h.runPending();
        assertThat(decisions(stale)).containsOnly(Decision.STALE).hasSize(3);

        PolicyHarness.open(table.policies().breakerNamed(MIST));
        List<Forwarder.Exchange> refused = List.of(send(CAPABILITIES), send(CAPABILITIES));
        Forwarder.Exchange ownCall = send("{\"other\":1}");
        h.runPending();
        assertThat(decisions(refused)).containsOnly(Decision.BREAKER_OPEN).hasSize(2);
        assertThat(PolicyHarness.answer(ownCall).reason()).isEqualTo(Decision.BREAKER_OPEN);

        RouteLatency getState = metrics.latency("get-state");
        assertThat(getState.answers()).isEqualTo(4).isEqualTo(answered("get-state"));
        assertThat(getState.staleAnswers()).isEqualTo(3);
        assertThat(within(getState, Duration.ofMillis(50))).as("the first caller").isEqualTo(1);
        assertThat(within(getState, Duration.ofMillis(100))).as("the stale ones waited for the failure")
                .isEqualTo(4);
        assertThat(metrics.latency("capabilities").answers()).isEqualTo(2).isEqualTo(answered("capabilities"));
        assertThat(metrics.latency("catch-all").answers()).isEqualTo(1).isEqualTo(answered("catch-all"));
        assertThat(scraped("mistguard_upstream_seconds_count", "get-state")).isEqualTo(2);
    }

    @Test
    void joinersThatGiveUpAreAnswersOnceAndTheCallTheyLeftIsNone() {
        Forwarder.Exchange starter = send(GET_STATE);
        Forwarder.Exchange leaving = send(GET_STATE);
        h.advanceMillis(300);
        leaving.cancel();
        starter.cancel(); // the last one out: the shared call is cancelled too
        h.runPending();

        assertThat(decisions(List.of(starter, leaving))).containsOnly(Decision.CANCELLED);
        assertThat(h.upstream.only().cancelled()).isTrue();
        RouteLatency latency = metrics.latency("get-state");
        assertThat(latency.answers()).isEqualTo(2).isEqualTo(answered("get-state"));
        assertThat(within(latency, Duration.ofMillis(250))).isZero();
        assertThat(within(latency, Duration.ofMillis(500))).isEqualTo(2);
    }
}
