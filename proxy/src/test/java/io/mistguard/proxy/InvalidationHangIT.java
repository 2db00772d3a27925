package io.mistguard.proxy;

import static io.mistguard.proxy.InvalidationIT.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.invalidation.InvalidationStats;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The incident of catalyst-api PR #1377 replayed against mistguard: Mist never answers
 * {@code invalidate_sessions}. Callers must still be answered at once, other commands must keep
 * their budgets, Mist must never see two invalidation calls at once, and every name must arrive
 * once Mist recovers.
 */
class InvalidationHangIT {

    private static final int STREAMS = 50;
    private static final int OFFERS = 500;
    private static final int CALLERS = 10;
    private static final Duration MEDIAN_WITHIN = Duration.ofMillis(100);
    /**
     * Generous for a shared 2-core machine under load (seen: 1.06 s at load average 12); a caller
     * waiting on the hung Mist would instead take the 2 s request timeout or more.
     */
    private static final Duration SLOWEST_WITHIN = Duration.ofMillis(1500);

    @Test
    void hungMistDelaysNoCallerAndGetsEveryNameOnceItRecovers() throws Exception {
        try (SimMist mist = SimMist.builder().streams(2, 1).start();
             TestProxy proxy = TestProxy.start(InvalidationIT.config(mist.port(), null))) {
            mist.faults().add(FaultRule.forCommand("invalidate_sessions").hang());
            send(proxy, "video+warmup"); // JIT and connection set-up are not what this test measures

            List<Long> latenciesNanos = offerConcurrently(proxy);

            assertThat(latenciesNanos).hasSize(OFFERS);
            Collections.sort(latenciesNanos);
            String tail = latenciesNanos.subList(OFFERS - 10, OFFERS).stream()
                    .map(n -> String.format("%.1f", n / 1e6)).collect(Collectors.joining(", ", "[", "] ms"));
            // Under the paranoid leak detector on a shared, loaded 2-core machine, one pause of ~200 ms
            // can hit all ten callers at once, so the bounds are loose; anything that waited on Mist
            // would take the 2 s request timeout (or forever). Tight figures: deploy/bench/invalidations.
            assertThat(Duration.ofNanos(latenciesNanos.get(OFFERS / 2 - 1))).as("median; slowest %s", tail)
                    .isLessThan(MEDIAN_WITHIN);
            assertThat(Duration.ofNanos(latenciesNanos.get(OFFERS - 1))).as("slowest; %s", tail)
                    .isLessThan(SLOWEST_WITHIN);

            long start = System.nanoTime();
            HttpResponse<String> getState = proxy.postForm("/api2",
                    "command=" + URLEncoder.encode(MistCommands.GET_STATE, StandardCharsets.UTF_8));
            assertThat(getState.statusCode()).isEqualTo(200);
            assertThat(getState.headers().firstValue("Mistguard-Decision")).hasValue("proxied");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("GetState beside the hang")
                    .isLessThan(Duration.ofMillis(500));

            // Let several 300 ms call timeouts pass, so that overlapping calls would have shown.
            await(() -> mist.recording().commandCount("invalidate_sessions") >= 3, "the drainer kept retrying");
            InvalidationStats during = proxy.mistguard.invalidationStats();
            assertThat(during.accepted()).isEqualTo(OFFERS + 1);
            assertThat(during.depth() + during.inFlight()).isBetween(STREAMS, STREAMS + 1 + STREAMS);
            assertThat(during.failed()).isGreaterThanOrEqualTo(1);
            assertThat(during.sent()).isZero();

            assertThat(mist.recording().maxConcurrent("invalidate_sessions")).as("calls at once, hung")
                    .isLessThanOrEqualTo(1);
            mist.recording().clear(); // from here on, what Mist records arrived after its recovery
            mist.faults().clear();
            await(() -> delivered(mist).containsAll(names()) && idle(proxy), "all names delivered after recovery");
            assertThat(mist.recording().maxConcurrent("invalidate_sessions")).as("calls at once").isLessThanOrEqualTo(1);
            assertThat(proxy.mistguard.invalidationStats().sent()).isGreaterThanOrEqualTo(STREAMS + 1);
        }
    }

    /**
     * A hung invalidation that also holds Mist's global lock delays every other command. mistguard's
     * call timeout (300 ms here) closes the connection, which frees the lock (sim-mist models what a
     * closed socket does to the handler), and Mist's lock is FIFO, so a command queued behind it waits
     * at most about one call timeout before the next invalidation attempt can take the lock again.
     */
    @Test
    void invalidationHoldingMistsLockDelaysOtherCommandsByAtMostOneCallTimeout() throws Exception {
        try (SimMist mist = SimMist.builder().streams(2, 1).start();
             TestProxy proxy = TestProxy.start(InvalidationIT.config(mist.port(), null))) {
            mist.faults().add(FaultRule.forCommand("invalidate_sessions").hangHoldingLock());
            send(proxy, "video+locked");
            await(() -> mist.recording().commandCount("invalidate_sessions") >= 1, "the call holds Mist's lock");

            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                HttpResponse<String> getState = proxy.postForm("/api2",
                        "command=" + URLEncoder.encode(MistCommands.GET_STATE, StandardCharsets.UTF_8));
                assertThat(getState.statusCode()).isEqualTo(200);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("GetState behind the held lock")
                        .isLessThan(Duration.ofMillis(1_000)); // 300 ms call timeout + slack; budget 2 s
            }
            long offered = System.nanoTime();
            send(proxy, "video+locked2");
            assertThat(Duration.ofNanos(System.nanoTime() - offered)).isLessThan(SLOWEST_WITHIN);

            mist.faults().clear();
            await(() -> delivered(mist).containsAll(Set.of("video+locked", "video+locked2")) && idle(proxy),
                    "delivered once Mist lets go of its lock");
            // No maxConcurrent check here: sim-mist releases a held lock when it sees the connection
            // close, before it ends that request's in-flight count, so the next call can be counted
            // as overlapping. The plain-hang test above checks it.
        }
    }

    @Test
    void fullQueueRejectsNewNamesWith503ButStillAcceptsHeldOnes() throws Exception {
        try (SimMist mist = SimMist.builder().streams(2, 1).start();
             TestProxy proxy = TestProxy.start(InvalidationIT.config(mist.port(), null)
                     .withInvalidations(new InvalidationsConfig(50, 2, Duration.ofMillis(300), Duration.ofMillis(20),
                             Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofSeconds(1), null,
                             Duration.ZERO)))) {
            mist.faults().add(FaultRule.forCommand("invalidate_sessions").hang());
            send(proxy, "video+f1");
            send(proxy, "video+f2");

            HttpResponse<String> refused = proxy.postForm("/", "command=" + URLEncoder.encode(
                    "{\"invalidate_sessions\":\"video+f3\"}", StandardCharsets.UTF_8));

            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(refused.headers().firstValue("Mistguard-Decision"))
                    .hasValue("rejected; reason=invalidation-queue-full");
            assertThat(refused.body()).doesNotContain("{");
            send(proxy, "video+f1"); // held already: coalesces, never refused
            assertThat(proxy.mistguard.invalidationStats().rejected()).isEqualTo(1);
        }
    }

    private static List<Long> offerConcurrently(TestProxy proxy) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                int caller = c;
                results.add(callers.submit(() -> {
                    List<Long> mine = new ArrayList<>();
                    for (int i = caller; i < OFFERS; i += CALLERS) {
                        long start = System.nanoTime();
                        HttpResponse<String> response = send(proxy, "video+s" + (i % STREAMS));
                        mine.add(System.nanoTime() - start);
                        assertThat(response.headers().firstValue("Mistguard-Decision")).hasValue("queued");
                    }
                    return mine;
                }));
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> result : results) {
                all.addAll(result.get());
            }
            return all;
        } finally {
            callers.shutdownNow();
        }
    }

    private static HttpResponse<String> send(TestProxy proxy, String name) throws Exception {
        String json = "{\"invalidate_sessions\":\"" + name + "\"}";
        HttpResponse<String> response = proxy.http.send(HttpRequest.newBuilder(proxy.uri("/"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("command=" + URLEncoder.encode(json, StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response;
    }

    private static Set<String> names() {
        return IntStream.range(0, STREAMS).mapToObj(i -> "video+s" + i).collect(Collectors.toSet());
    }

    /**
     * Names Mist received since its recovery. A call recorded just before the fault was cleared may
     * still have hung, but then its names were retried: {@link #idle} (nothing waiting or in flight)
     * is what proves each was in a call Mist answered.
     */
    private static Set<String> delivered(SimMist mist) {
        return Set.copyOf(mist.recording().streamsFor("invalidate_sessions"));
    }

    private static boolean idle(TestProxy proxy) {
        InvalidationStats stats = proxy.mistguard.invalidationStats();
        return stats.depth() == 0 && stats.inFlight() == 0;
    }
}
