package io.mistguard.proxy;

import static io.mistguard.proxy.PolicyProxies.command;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.fault.FaultRule;
import io.mistguard.sim.junit.SimMistExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code fresh_for} and {@code stale.while_revalidate} over loopback, with sim-mist's recording as
 * proof of how often Mist was asked. A running mistguard reads the system clock, so these windows are
 * real and short (seconds, with wide margins); the exact boundaries are pinned on fake time in
 * {@code cache.StaleWhileRevalidateTest}.
 */
class FreshAndRevalidateIT {

    private static final String ROUTES = """
            routes:
              - name: get-state
                match: {commands: [active_streams, stats_streams, push_list, push_auto_list]}
                kind: read
                timeout: 3s
                retry: {attempts: 1}
                breaker: none
                coalesce: false
                fresh_for: 1s
                STALE
              - name: catch-all
                match: {}
                kind: passthrough
            """;

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(2, 2));

    @Test
    void withinFreshForMistIsNotAskedAndAfterItItIs() throws Exception {
        try (TestProxy proxy = PolicyProxies.start(ROUTES.replace("STALE", ""), MIST.get().port())) {
            HttpResponse<String> first = send(proxy);
            long storedBy = System.nanoTime();
            assertThat(decision(first)).isEqualTo("proxied");
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> cached = send(proxy);
                assertThat(decision(cached)).isEqualTo("cached");
                assertThat(cached.body()).isEqualTo(first.body());
            }
            assertThat(elapsed(storedBy)).as("the test ran within the window").isLessThan(Duration.ofSeconds(1));
            assertThat(MIST.get().recording().commandCount("active_streams")).isEqualTo(1);

            sleepUntil(storedBy, Duration.ofMillis(1200));
            assertThat(decision(send(proxy))).isEqualTo("proxied");
            assertThat(MIST.get().recording().commandCount("active_streams")).isEqualTo(2);
        }
    }

    @Test
    void pastFreshForFiftyCallersAreAnsweredStaleWhileMistIsAskedOnceAndThenTheEntryIsNew() throws Exception {
        String routes = ROUTES.replace("STALE", "stale: {max_age: 30s, while_revalidate: 20s}");
        try (TestProxy proxy = PolicyProxies.start(routes, MIST.get().port())) {
            HttpResponse<String> first = send(proxy);
            long storedBy = System.nanoTime(); // after the answer: the entry is at most this old
            assertThat(decision(first)).isEqualTo("proxied");
            sleepUntil(storedBy, Duration.ofMillis(1200));
            // the refresh takes 1.5 s, so every caller below arrives while it is in flight
            MIST.get().faults().add(FaultRule.forCommand("active_streams").delay(Duration.ofMillis(1500)).times(1));

            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                calls.add(proxy.http.sendAsync(command(proxy, MistCommands.GET_STATE),
                                               HttpResponse.BodyHandlers.ofString()));
            }
            List<String> decisions = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get();
                decisions.add(decision(response));
                assertThat(response.body()).isEqualTo(first.body());
            }
            // Nobody waited for the refresh: each was answered from the store — "revalidating" while it
            // ran, or "cached" from the entry it stored when a loaded machine sent the rest after it
            // ended — never "coalesced" or "proxied", which a caller waiting on Mist would get. No
            // stopwatch: fifty answers can take longer than the refresh without waiting for it.
            assertThat(decisions).contains("stale; reason=revalidating");
            assertThat(decisions).isSubsetOf("stale; reason=revalidating", "cached");

            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (proxy.mistguard.cache().stored() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(MIST.get().recording().commandCount("active_streams")).as("one background refresh").isEqualTo(2);
            HttpResponse<String> after = send(proxy);
            assertThat(decision(after)).isEqualTo("cached");
            assertThat(after.headers().firstValue("Age")).hasValue("0");
            assertThat(MIST.get().recording().commandCount("active_streams")).isEqualTo(2);
        }
    }

    private static HttpResponse<String> send(TestProxy proxy) throws Exception {
        return proxy.http.send(command(proxy, MistCommands.GET_STATE), HttpResponse.BodyHandlers.ofString());
    }

    private static String decision(HttpResponse<String> response) {
        return response.headers().firstValue("Mistguard-Decision").orElse("<none>");
    }

    private static Duration elapsed(long since) {
        return Duration.ofNanos(System.nanoTime() - since);
    }

    private static void sleepUntil(long since, Duration after) throws InterruptedException {
        Thread.sleep(Math.max(0, after.minus(elapsed(since)).toMillis()));
    }
}
