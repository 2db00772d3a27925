package io.mistguard.proxy;

import static io.mistguard.proxy.PolicyProxies.command;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * catalyst-api PR #1377: Mist hung in {@code invalidate_sessions} while holding its global lock, and
 * everything behind it waited without bound. Through mistguard the invalidation is answered at once
 * (queued), and a concurrent GetState and a concurrent write are each answered within their own route
 * budget; the write is not replayed and Mist never sees two invalidations at once.
 */
class Pr1377RegressionIT {

    private static final Duration SLACK = Duration.ofMillis(300);

    @Test
    void getStateAndAWriteBehindAHungInvalidateAreAnsweredWithinTheirOwnBudgets() throws Exception {
        try (SimMist mist = SimMist.builder().streams(2, 2).start();
             TestProxy proxy = PolicyProxies.start("""
                     admissions:
                       mist: {max_concurrent: 4, max_queue: 10, queue_timeout: 5s}
                     route_defaults: {admission: mist}
                     routes:
                       - name: get-state
                         match: {commands: [active_streams, stats_streams, push_list, push_auto_list]}
                         kind: read
                         timeout: 1s
                         per_try_timeout: 400ms
                         retry: {attempts: 3, backoff_base: 10ms, backoff_max: 50ms}
                       - {name: nuke-stream, match: {commands: [nuke_stream]}, kind: write, timeout: 1500ms}
                       - {name: invalidate-sessions, match: {commands: [invalidate_sessions]}, kind: queued,
                          timeout: 2500ms}
                       - {name: catch-all, match: {}, kind: passthrough}
                     """, mist.port())) {
            // Warm up client and proxy, so that the clock below measures budgets, not JVM start-up.
            assertThat(send(proxy, MistCommands.GET_STATE, System.nanoTime()).get().response().statusCode()).isEqualTo(200);
            mist.recording().clear();
            mist.faults().add(FaultRule.forCommand("invalidate_sessions").hangHoldingLock());
            long start = System.nanoTime();
            CompletableFuture<Timed> invalidate = send(proxy, "{\"invalidate_sessions\":\"video+stream0\"}", start);
            awaitCommand(mist, "invalidate_sessions");

            CompletableFuture<Timed> getState = send(proxy, MistCommands.GET_STATE, System.nanoTime());
            CompletableFuture<Timed> nuke = send(proxy, "{\"nuke_stream\":\"video+stream1\"}", System.nanoTime());

            Timed queued = invalidate.get();
            assertThat(queued.response().statusCode()).isEqualTo(200);
            assertThat(queued.response().headers().firstValue("Mistguard-Decision")).hasValue("queued");
            assertThat(queued.response().body()).startsWith("{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"}");
            // Mist holds the invalidation (and its lock) for good: the answer came from the queue. It
            // came before the GetState behind it ran out of its 1 s budget — an order, not a stopwatch,
            // so a loaded machine cannot fail it.
            assertThat(queued.doneAt()).as("the caller never waits on Mist for an invalidation")
                                       .isLessThan(getState.get().doneAt());

            assertAnsweredWithin(getState.get(), Duration.ofSeconds(1), "get-state");
            assertAnsweredWithin(nuke.get(), Duration.ofMillis(1500), "nuke-stream");
            assertThat(mist.recording().commandCount("nuke_stream")).as("a write is never replayed").isLessThanOrEqualTo(1);
            assertThat(mist.recording().commandCount("invalidate_sessions")).isPositive();
        }
    }

    /** An answer, how long after {@code start} it was complete, and when ({@link System#nanoTime()}). */
    private record Timed(HttpResponse<String> response, Duration took, long doneAt) {}

    private static CompletableFuture<Timed> send(TestProxy proxy, String json, long start) {
        return proxy.http.sendAsync(command(proxy, json), HttpResponse.BodyHandlers.ofString())
                         .thenApply(r -> {
                             long now = System.nanoTime();
                             return new Timed(r, Duration.ofNanos(now - start), now);
                         });
    }

    private static void assertAnsweredWithin(Timed timed, Duration budget, String route) {
        assertThat(timed.took()).as(route + " answered within its budget").isLessThan(budget.plus(SLACK));
        assertThat(timed.response().statusCode()).as(route).isEqualTo(504);
        assertThat(timed.response().headers().firstValue("Mistguard-Route")).hasValue(route);
        assertThat(timed.response().headers().firstValue("Mistguard-Decision")).hasValue("rejected; reason=timeout");
    }

    private static void awaitCommand(SimMist mist, String command) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (mist.recording().commandCount(command) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(mist.recording().commandCount(command)).isPositive();
    }
}
