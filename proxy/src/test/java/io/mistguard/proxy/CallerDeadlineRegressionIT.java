package io.mistguard.proxy;

import static io.mistguard.proxy.PolicyProxies.command;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.policy.BreakerSnapshot;
import io.mistguard.sim.fault.FaultRule;
import io.mistguard.sim.junit.SimMistExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regressions (issue: "a caller's deadline must end the upstream work", "only Mist's failures count
 * against Mist"): work lives exactly as long as someone waits for it, and a deadline the caller
 * chose is not Mist's failure. Over loopback against sim-mist; the time bounds asserted are the
 * gaps between a caller's deadline and the route's own timeouts (seconds apart), never latencies.
 */
class CallerDeadlineRegressionIT {

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(1, 1));

    /** The shipped table: GetState 4 s total, 2 s per try, coalesced; {@code /admin/inflight} said attempt 2. */
    @Test
    void coalescedGetStateEndsItsUpstreamAttemptWhenItsOnlyCallersDeadlineExpires() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(10))) {
            MIST.get().faults().add(FaultRule.any().hang());
            long start = System.nanoTime();
            HttpResponse<String> answer = proxy.http.send(withDeadline(command(proxy, MistCommands.GET_STATE), 400),
                                                          HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(504);
            assertThat(answer.headers().firstValue("Mistguard-Decision")).hasValue("rejected; reason=caller-deadline");
            assertThat(MIST.get().recording().awaitConnectionsClosedByPeer(1, Duration.ofMillis(1200)))
                    .as("the attempt's connection closes with its last waiter, not at per_try_timeout (2 s)").isTrue();
            // The close reaches Mist a moment before the attempt's own listener unlists it: wait for it.
            Await.until("no attempt outlives its caller", () -> proxy.mistguard.inflight().isEmpty());
            sleepUntil(start, Duration.ofMillis(2600)); // past per_try_timeout, when the old code tried again
            assertThat(proxy.mistguard.inflight()).isEmpty();
            assertThat(MIST.get().recording().commandCount("active_streams")).as("no second attempt").isEqualTo(1);
        }
    }

    @Test
    void sharedCallLivesAsLongAsItsLongestWaitingCaller() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(10))) {
            MIST.get().faults().add(FaultRule.any().delay(Duration.ofMillis(900)).times(1));
            CompletableFuture<HttpResponse<String>> patient = proxy.http.sendAsync(
                    command(proxy, MistCommands.GET_STATE), HttpResponse.BodyHandlers.ofString());
            awaitCommands(1);
            HttpResponse<String> hasty = proxy.http.send(withDeadline(command(proxy, MistCommands.GET_STATE), 200),
                                                         HttpResponse.BodyHandlers.ofString());
            assertThat(hasty.headers().firstValue("Mistguard-Decision")).hasValue("rejected; reason=caller-deadline");
            HttpResponse<String> answered = patient.get();
            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(answered.body()).contains("\"local\":true");
            assertThat(MIST.get().recording().commandCount("active_streams")).isEqualTo(1);
        }
    }

    @Test
    void everyCoalescedCallerLeavingByItsDeadlineEndsTheSharedCall() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(10))) {
            MIST.get().faults().add(FaultRule.any().hang());
            List<CompletableFuture<HttpResponse<String>>> callers = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                callers.add(proxy.http.sendAsync(withDeadline(command(proxy, MistCommands.GET_STATE), 300 + 50 * i),
                                                 HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> caller : callers) {
                assertThat(caller.get().headers().firstValue("Mistguard-Decision"))
                        .hasValue("rejected; reason=caller-deadline");
            }
            // Under load a late caller may have started a second call after the first one ended:
            // what must hold is that every call ends with its callers.
            long opened = MIST.get().recording().connectionsOpened();
            assertThat(MIST.get().recording().awaitConnectionsClosedByPeer((int) opened, Duration.ofMillis(1500)))
                    .as("every upstream connection closed once its callers left").isTrue();
            awaitNoAttemptInFlight(proxy);
            assertThat(MIST.get().recording().commandCount("active_streams")).isEqualTo(opened);
        }
    }

    /** Six caller-chosen 504s opened the shared {@code mist} breaker; the next plain write got 503. */
    @Test
    void callerChosenTimeoutsDoNotOpenTheBreakerForTheNextWrite() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(10))) {
            MIST.get().faults().add(FaultRule.forCommand("config").delay(Duration.ofMillis(300)));
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> answer = proxy.http.send(HttpRequest.newBuilder(proxy.uri("/"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("x-envoy-expected-rq-timeout-ms", "150")
                        .POST(HttpRequest.BodyPublishers.ofString("command=%7B%22config%22%3A%7B%7D%7D")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).isEqualTo(504);
                assertThat(answer.headers().firstValue("Mistguard-Decision"))
                        .hasValue("rejected; reason=caller-deadline");
            }
            HttpResponse<String> write = proxy.http.send(command(proxy, "{\"nuke_stream\":\"video+stream0\"}"),
                                                         HttpResponse.BodyHandlers.ofString());
            assertThat(write.statusCode()).isEqualTo(200);
            assertThat(write.headers().firstValue("Mistguard-Decision")).hasValue("proxied");
            BreakerSnapshot breaker = proxy.mistguard.policies().breaker("mist");
            assertThat(breaker.state()).isEqualTo("closed");
            assertThat(breaker.failureRate()).isZero();
            assertThat(proxy.mistguard.policies().route("config-read").decided(Decision.CALLER_DEADLINE)).isEqualTo(6);
            assertThat(proxy.mistguard.policies().route("config-read").decided(Decision.TIMEOUT)).isZero();
        }
    }

    @Test
    void theRoutesOwnTimeoutStillCountsAgainstMist() throws Exception {
        try (TestProxy proxy = PolicyProxies.start("""
                breakers:
                  mist: {failure_rate: 50, window_calls: 2, open_duration: 30s}
                routes:
                  - {name: catch-all, match: {}, kind: passthrough, timeout: 200ms, breaker: mist}
                """, MIST.get().port())) {
            MIST.get().faults().add(FaultRule.any().hang());
            HttpResponse<String> answer = proxy.http.send(PolicyProxies.get(proxy, "/api2"),
                                                          HttpResponse.BodyHandlers.ofString());
            assertThat(answer.headers().firstValue("Mistguard-Decision")).hasValue("rejected; reason=timeout");
            assertThat(proxy.mistguard.policies().breaker("mist").state()).as("1 failure of 2").isEqualTo("open");
        }
    }

    private static void awaitNoAttemptInFlight(TestProxy proxy) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (!proxy.mistguard.inflight().isEmpty() && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertThat(proxy.mistguard.inflight()).as("%s", proxy.mistguard.inflight().stream()
                .map(a -> a.route() + "#" + a.attempt()).toList()).isEmpty();
    }

    private void awaitCommands(int n) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (MIST.get().recording().commandCount("active_streams") < n && System.nanoTime() < until) {
            Thread.sleep(5);
        }
    }

    private static HttpRequest withDeadline(HttpRequest request, int millis) {
        return HttpRequest.newBuilder(request, (name, value) -> true).header("Mistguard-Timeout-Ms",
                                                                             String.valueOf(millis)).build();
    }

    private static void sleepUntil(long startNanos, Duration after) throws InterruptedException {
        long left = startNanos + after.toNanos() - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000);
        }
    }
}
