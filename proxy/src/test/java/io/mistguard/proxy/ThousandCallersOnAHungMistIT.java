package io.mistguard.proxy;

import static io.mistguard.proxy.PolicyProxies.command;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * 1000 concurrent GetState callers on a Mist that never answers: every one is answered within the
 * route budget, and mistguard's threads and heap stay flat (bounded queue, immediate overload).
 */
class ThousandCallersOnAHungMistIT {

    private static final int CALLERS = 1000;
    private static final Duration BUDGET = Duration.ofSeconds(1);
    /** Inside mistguard, from arrival to answer: timer granularity and one busy event loop. */
    private static final Duration SLACK = Duration.ofMillis(100);
    /** At the client, which also opens 1000 connections through one selector thread. */
    private static final Duration CLIENT_SLACK = Duration.ofSeconds(3);

    @Test
    void everyCallerIsAnsweredWithinBudgetWithFlatThreadsAndHeap() throws Exception {
        try (SimMist mist = SimMist.builder().streams(2, 2).start();
             TestProxy proxy = PolicyProxies.start("""
                     admissions:
                       mist: {max_concurrent: 4, max_queue: 200, queue_timeout: 500ms}
                     breakers:
                       mist: {failure_rate: 50, window_calls: 10, open_duration: 5s}
                     route_defaults: {admission: mist, breaker: mist}
                     routes:
                       - name: get-state
                         match: {commands: [active_streams, stats_streams, push_list, push_auto_list]}
                         kind: read
                         timeout: 1s
                         per_try_timeout: 500ms
                         caller_timeout: 4.5s
                       - {name: catch-all, match: {}, kind: passthrough}
                     """, mist.port())) {
            // Warm-up burst against a healthy Mist: JIT and 1000 client connections, so that the
            // measured burst shows mistguard's timers, not interpreted code or connection set-up.
            List<CompletableFuture<HttpResponse<String>>> warm = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                // through the catch-all, so that get-state's counters see only the hung phase
                warm.add(proxy.http.sendAsync(command(proxy, "{\"push_list\":true}"), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> w : warm) {
                w.get();
            }
            Thread.sleep(200);
            int threadsBefore = mistguardThreads();
            long heapBefore = usedHeapAfterGc();
            mist.faults().add(FaultRule.any().hang());

            List<CompletableFuture<Duration>> answers = new ArrayList<>();
            Map<String, Integer> decisions = new TreeMap<>();
            for (int i = 0; i < CALLERS; i++) {
                long start = System.nanoTime();
                answers.add(proxy.http.sendAsync(command(proxy, MistCommands.GET_STATE), HttpResponse.BodyHandlers.ofString())
                        .thenApply(r -> {
                            synchronized (decisions) {
                                decisions.merge(r.headers().firstValue("Mistguard-Decision").orElse("none"), 1, Integer::sum);
                                String key = "max " + r.headers().firstValue("Mistguard-Decision").orElse("none");
                                decisions.merge(key, (int) ((System.nanoTime() - start) / 1_000_000), Math::max);
                            }
                            return Duration.ofNanos(System.nanoTime() - start);
                        }));
            }
            int threadsDuring = mistguardThreads();
            Duration slowest = Duration.ZERO;
            for (CompletableFuture<Duration> answer : answers) {
                Duration took = answer.get();
                slowest = took.compareTo(slowest) > 0 ? took : slowest;
            }
            long heapAfter = usedHeapAfterGc();

            Duration longestInside = proxy.mistguard.policies().route("get-state").longestAnswer();
            System.out.printf("1000 callers on a hung Mist: longest inside mistguard %d ms, slowest at the client %d ms "
                              + "(budget %d ms), mistguard threads %d -> %d, heap after GC %d -> %d KiB, decisions %s%n",
                              longestInside.toMillis(), slowest.toMillis(), BUDGET.toMillis(), threadsBefore,
                              threadsDuring, heapBefore >> 10, heapAfter >> 10, decisions);
            assertThat(decisions.entrySet().stream().filter(e -> !e.getKey().startsWith("max"))
                                .mapToInt(Map.Entry::getValue).sum()).isEqualTo(CALLERS);
            assertThat(decisions).doesNotContainKey("proxied");
            assertThat(longestInside).isLessThan(BUDGET.plus(SLACK));
            assertThat(slowest).isLessThan(BUDGET.plus(CLIENT_SLACK));
            assertThat(threadsDuring).isEqualTo(threadsBefore);
            assertThat(heapAfter - heapBefore).as("heap growth").isLessThan(32L << 20);
            assertThat(proxy.mistguard.policies().admission("mist").inFlight()).isZero();
            assertThat(proxy.mistguard.policies().admission("mist").queued()).isZero();
        }
    }

    private static int mistguardThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                           .filter(t -> t.getName().startsWith("mistguard-")).count();
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
