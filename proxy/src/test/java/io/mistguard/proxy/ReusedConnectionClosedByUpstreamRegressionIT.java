package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression (issue: "a reused connection that Mist closed must not cost a write"): an upstream that
 * answers {@code GET /} and then closes the socket without {@code Connection: close} made 4–9 of 480
 * {@code nuke_stream} writes per run fail with {@code 502 upstream-reset} without ever reaching the
 * upstream. Eight callers mix web-UI GETs with writes; every write must be answered 200 and reach the
 * upstream exactly once.
 *
 * <p>With {@code text/html} (Mist's web UI page) the connection is retired after the reply, so it is
 * never reused; with {@code text/plain} it is pooled and the close races with reuse, which the
 * once-on-a-fresh-connection rule must absorb.
 */
class ReusedConnectionClosedByUpstreamRegressionIT {

    private static final int CALLERS = 8;
    private static final int ROUNDS = 60;

    @ParameterizedTest
    @ValueSource(strings = {"text/html; charset=utf-8", "text/plain"})
    void writesMixedWithWebUiGetsAreNeverLostToAConnectionTheUpstreamClosed(String getType) throws Exception {
        try (ClosingUpstream upstream = new ClosingUpstream(getType);
             TestProxy proxy = TestProxy.inFrontOf(upstream.port(), Duration.ofSeconds(5))) {
            ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
            AtomicInteger writesOk = new AtomicInteger();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                done.add(pool.submit((Callable<Void>) () -> {
                    for (int i = 0; i < ROUNDS; i++) {
                        HttpResponse<String> page = proxy.http.send(PolicyProxies.get(proxy, "/"),
                                                                    HttpResponse.BodyHandlers.ofString());
                        if (page.statusCode() != 200) {
                            failures.add("GET " + page.statusCode() + " " + page.body());
                        }
                        HttpResponse<String> write = proxy.http.send(PolicyProxies.command(proxy,
                                "{\"nuke_stream\":\"video+stream0\"}"), HttpResponse.BodyHandlers.ofString());
                        if (write.statusCode() == 200) {
                            writesOk.incrementAndGet();
                        } else {
                            failures.add("write " + write.statusCode() + " " + write.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            assertThat(failures).isEmpty();
            assertThat(writesOk.get()).isEqualTo(CALLERS * ROUNDS);
            assertThat(upstream.posts()).as("each write reached the upstream exactly once").isEqualTo(CALLERS * ROUNDS);
        }
    }
}
