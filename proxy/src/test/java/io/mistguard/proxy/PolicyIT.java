package io.mistguard.proxy;

import static io.mistguard.proxy.PolicyProxies.command;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.policy.RouteStatsSnapshot;
import io.mistguard.sim.fault.FaultRule;
import io.mistguard.sim.junit.SimMistExtension;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Route policies against sim-mist faults over loopback: deadlines, breaker, retry budget, admission. */
class PolicyIT {

    private static final String GET_STATE = MistCommands.GET_STATE;
    private static final Duration SLACK = Duration.ofMillis(250);

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(2, 2));

    @Test
    void hungMistIsAnsweredAtTheRouteBudgetAfterRetriesAndItsConnectionsAreClosed() throws Exception {
        try (TestProxy proxy = PolicyProxies.start("""
                routes:
                  - name: get-state
                    match: {commands: [active_streams, stats_streams, push_list, push_auto_list]}
                    kind: read
                    timeout: 800ms
                    per_try_timeout: 300ms
                    retry: {attempts: 5, backoff_base: 10ms, backoff_max: 20ms}
                  - name: catch-all
                    match: {}
                    kind: passthrough
                """, MIST.get().port())) {
            MIST.get().faults().add(FaultRule.any().hang());
            long start = System.nanoTime();

            HttpResponse<String> response = proxy.http.send(command(proxy, GET_STATE), HttpResponse.BodyHandlers.ofString());

            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(response.statusCode()).isEqualTo(504);
            assertThat(response.headers().firstValue("Mistguard-Decision")).hasValue("rejected; reason=timeout");
            assertThat(response.headers().firstValue("Mistguard-Route")).hasValue("get-state");
            assertThat(response.body()).startsWith("mistguard: 504").doesNotContain("{");
            assertThat(took).isBetween(Duration.ofMillis(800), Duration.ofMillis(800).plus(SLACK));
            int attempts = Integer.parseInt(response.headers().firstValue("Mistguard-Attempts").orElseThrow());
            assertThat(attempts).as("per-try 300ms within 800ms").isBetween(2, 3);
            assertThat(MIST.get().recording().awaitConnectionsClosedByPeer(attempts, Duration.ofSeconds(2)))
                    .as("every attempt's connection closed by mistguard").isTrue();
            RouteStatsSnapshot stats = proxy.mistguard.policies().route("get-state");
            assertThat(stats.decided(Decision.TIMEOUT)).isEqualTo(1);
            // On time, the third attempt gets what is left of the budget and is cut by it. A loop
            // busy past the deadline may have run the second attempt's own timeout late instead:
            // then two attempts, the deadline's answer, and no cut (PolicyExchangeTest).
            assertThat(stats.attemptsCutByDeadline()).as("%d attempts, answer %s", attempts, response.body())
                    .isBetween(attempts == 3 ? 1L : 0L, 1L);
            assertThat(stats.upstreamInFlight()).isZero();
        }
    }

    @Test
    void callersDeadlineHeaderShortensTheBudget() throws Exception {
        try (TestProxy proxy = PolicyProxies.start("""
                routes:
                  - {name: catch-all, match: {}, kind: passthrough, timeout: 5s}
                """, MIST.get().port())) {
            MIST.get().faults().add(FaultRule.any().hang());
            long start = System.nanoTime();
            HttpResponse<String> response = proxy.http.send(java.net.http.HttpRequest.newBuilder(proxy.uri("/api2"))
                    .header("Mistguard-Timeout-Ms", "300").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(504);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(300),
                                                                              Duration.ofMillis(300).plus(SLACK));
        }
    }

    @Test
    void breakerOpensAfterItsThresholdFailsFastThenHalfOpensAndClosesOnSuccess() throws Exception {
        try (TestProxy proxy = PolicyProxies.start("""
                breakers:
                  mist: {failure_rate: 50, window_calls: 4, open_duration: 600ms, half_open_trials: 1}
                routes:
                  - name: get-state
                    match: {commands: [active_streams, stats_streams, push_list, push_auto_list]}
                    kind: read
                    timeout: 300ms
                    retry: {attempts: 1}
                    breaker: mist
                  - {name: catch-all, match: {}, kind: passthrough}
                """, MIST.get().port())) {
            MIST.get().faults().add(FaultRule.forCommand("push_list").hang().times(2));
            for (int i = 0; i < 2; i++) {
                assertThat(proxy.http.send(command(proxy, GET_STATE), HttpResponse.BodyHandlers.ofString()).statusCode())
                        .isEqualTo(504);
            }
            assertThat(proxy.mistguard.policies().breaker("mist").state()).isEqualTo("open");
            long seen = MIST.get().recording().commandCount("push_list");

            long start = System.nanoTime();
            HttpResponse<String> fast = proxy.http.send(command(proxy, GET_STATE), HttpResponse.BodyHandlers.ofString());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(150));
            assertThat(fast.statusCode()).isEqualTo(503);
            assertThat(fast.headers().firstValue("Mistguard-Decision")).hasValue("rejected; reason=breaker-open");
            assertThat(fast.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(fast.body()).startsWith("mistguard: 503").contains("breaker-open").doesNotContain("{");
            assertThat(MIST.get().recording().commandCount("push_list")).as("Mist not called while open").isEqualTo(seen);

            Thread.sleep(650); // Failsafe's breaker runs on the real clock in this tier
            HttpResponse<String> trial = proxy.http.send(command(proxy, GET_STATE), HttpResponse.BodyHandlers.ofString());
            assertThat(trial.statusCode()).isEqualTo(200);
            assertThat(trial.headers().firstValue("Mistguard-Decision")).hasValue("proxied");
            assertThat(proxy.mistguard.policies().breaker("mist").state()).isEqualTo("closed");
        }
    }

    @Test
    void duringATotalOutageRetriesStayWithinTheRetryBudget() throws Exception {
        int closedPort = LoopbackPorts.free();
        try (TestProxy proxy = PolicyProxies.start("""
                routes:
                  - name: get-state
                    match: {commands: [active_streams, stats_streams, push_list, push_auto_list]}
                    kind: read
                    timeout: 2s
                    retry:
                      attempts: 5
                      backoff_base: 1ms
                      backoff_max: 2ms
                      budget: {ratio: 0.1, min_retries: 2, window: 1m}
                  - {name: catch-all, match: {}, kind: passthrough}
                """, closedPort)) {
            int requests = 50;
            for (int i = 0; i < requests; i++) {
                HttpResponse<String> r = proxy.http.send(command(proxy, GET_STATE), HttpResponse.BodyHandlers.ofString());
                assertThat(r.headers().firstValue("Mistguard-Decision")).hasValue("rejected; reason=connect-refused");
            }
            RouteStatsSnapshot stats = proxy.mistguard.policies().route("get-state");
            assertThat(stats.retries()).as("2 + 10% of 50").isLessThanOrEqualTo(7).isGreaterThanOrEqualTo(5);
            assertThat(stats.retryBudgetExhausted()).isPositive();
            assertThat(stats.decided(Decision.CONNECT_REFUSED)).isEqualTo(requests);
        }
    }

    @Test
    void aFullQueueAnswersAtOnceAndADisconnectingCallerFreesItsSlot() throws Exception {
        try (TestProxy proxy = PolicyProxies.start("""
                admissions:
                  mist: {max_concurrent: 1, max_queue: 0}
                routes:
                  - {name: catch-all, match: {}, kind: passthrough, timeout: 5s, admission: mist}
                """, MIST.get().port())) {
            MIST.get().faults().add(FaultRule.any().hang().times(1));
            int port = proxy.mistguard.proxyAddress().getPort();
            String pushList = "/api2?command=" + URLEncoder.encode("{\"push_list\":true}", StandardCharsets.UTF_8);
            try (Socket caller = new Socket(InetAddress.getLoopbackAddress(), port)) {
                caller.getOutputStream().write(("GET " + pushList + " HTTP/1.1\r\nHost: x\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                caller.getOutputStream().flush();
                awaitRequests(1);

                long start = System.nanoTime();
                HttpResponse<String> overloaded = proxy.get(pushList);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));
                assertThat(overloaded.statusCode()).isEqualTo(503);
                assertThat(overloaded.headers().firstValue("Mistguard-Decision")).hasValue("rejected; reason=overload");
            }
            assertThat(MIST.get().recording().awaitConnectionsClosedByPeer(1, Duration.ofSeconds(2))).isTrue();

            HttpResponse<String> next = proxy.get(pushList);

            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(next.headers().firstValue("Mistguard-Decision")).hasValue("proxied");
            assertThat(proxy.mistguard.policies().admission("mist").inFlight()).isZero();
            assertThat(proxy.mistguard.policies().route("catch-all").decided(Decision.CANCELLED)).isEqualTo(1);
        }
    }

    private static void awaitRequests(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (MIST.get().recording().requestCount() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(MIST.get().recording().requestCount()).isGreaterThanOrEqualTo(n);
    }
}
