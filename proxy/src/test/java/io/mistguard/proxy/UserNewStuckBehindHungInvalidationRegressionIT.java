package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.BreakerConfig;
import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggersConfig;
import io.mistguard.proxy.config.TriggerPolicy;
import io.mistguard.proxy.invalidation.InvalidationStats;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import io.mistguard.sim.trigger.TriggerOutcome;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The seed incident (mist-api.md §6, catalyst-api PR #1377) replayed end to end through both of
 * mistguard's listeners. catalyst-api's access-control loop takes its access-cache lock and sends
 * {@code invalidate_sessions} to a Mist that hangs holding its global lock; catalyst-api's
 * {@code USER_NEW} handler needs the same lock, so every viewer's trigger blocks for as long as the
 * invalidation is in flight. Before: each viewer waited 5 × 5 s and was let in by Mist's default.
 *
 * <p>Here the fake catalyst-api holds its lock for the whole time the invalidation is in flight
 * through mistguard (accepted, not yet delivered), which is the whole Mist outage; it lets go when
 * the test ends the outage, strictly before Mist recovers, so Mist's immediate re-triggers never race
 * a poller for the lock. Still: the
 * invalidation call itself returns at once ({@code queued}); every viewer arriving meanwhile is
 * decided on Mist's first attempt within the trigger timeout + ε, a known viewer by its last answer
 * and a new one denied (policy {@code last-known}, otherwise {@code deny}) — never Mist's silent
 * {@code true}; and once Mist recovers the invalidation is delivered, Mist re-runs {@code USER_NEW}
 * for each viewer of the stream, and catalyst-api answers those.
 */
class UserNewStuckBehindHungInvalidationRegressionIT {

    private static final Duration DECIDED_WITHIN = Duration.ofSeconds(3);
    private static final TriggerPolicy USER_NEW = new TriggerPolicy(true, Duration.ofSeconds(1),
            TriggerFallback.LAST_KNOWN, TriggerFallback.DENY, Duration.ofMinutes(10), List.of(0, 5));
    private static final String STREAM = "video+stream0";
    private static final int VIEWERS_OF_STREAM = 3;
    private static final int NEW_VIEWERS = 5;
    /** The default breaker, with a trial for each viewer Mist re-checks at once after its recovery. */
    private static final BreakerConfig BREAKER = new BreakerConfig(50, 0, Duration.ofSeconds(10), 5,
                                                                   Duration.ofSeconds(2), VIEWERS_OF_STREAM);

    @Test
    void viewersAreDecidedWithinBudgetWhileCatalystBlocksBehindAHungInvalidation() throws Exception {
        int triggerPort = LoopbackPorts.free();
        try (FakeCatalystApi catalyst = FakeCatalystApi.start();
             SimMist mist = SimMist.builder().streams(1, VIEWERS_OF_STREAM)
                     .triggerUrl("http://127.0.0.1:" + triggerPort + "/api/mist/trigger")
                     .triggerAttemptTimeout(Duration.ofSeconds(5)).triggerAttempts(5).start();
             TestProxy proxy = TestProxy.start(InvalidationIT.config(mist.port(), null)
                     .withTriggers(TriggerProxies.triggers(triggerPort, catalyst.port(), USER_NEW)
                             .withPolicing(BREAKER, TriggersConfig.defaults().admission())))) {
            List<String> known = viewer("sess-known", 0);
            TriggerOutcome admitted = mist.triggers().send("USER_NEW", known, true).get();
            assertThat(admitted.allowed()).isTrue();

            mist.faults().add(FaultRule.forCommand("invalidate_sessions").hangHoldingLock());
            AtomicLong invalidateNanos = new AtomicLong(-1);
            // The end of the outage, as an event: the loop lets go of its lock when the test says Mist
            // recovers, before Mist runs the invalidation and re-triggers USER_NEW — never a poll racing
            // Mist's re-triggers for the lock (issue #15, finding 7).
            CompletableFuture<Void> mistRecovers = new CompletableFuture<>();
            CompletableFuture<Void> accessControlLoop = CompletableFuture.runAsync(() -> {
                catalyst.accessCache.lock(); // PR #1377: the lock is held across the invalidation
                try {
                    long start = System.nanoTime();
                    HttpResponse<String> r = invalidate(proxy, STREAM);
                    invalidateNanos.set(System.nanoTime() - start);
                    assertThat(r.headers().firstValue("Mistguard-Decision")).hasValue("queued");
                    mistRecovers.join(); // in flight through mistguard, undelivered, for the whole outage
                } finally {
                    catalyst.accessCache.unlock();
                }
            });
            InvalidationIT.await(() -> catalyst.accessCache.isLocked() && invalidateNanos.get() >= 0,
                                 "catalyst-api holds its lock with the invalidation in flight");
            assertThat(Duration.ofNanos(invalidateNanos.get())).as("the invalidation call never waits on Mist")
                    .isLessThan(Duration.ofSeconds(1));

            List<CompletableFuture<TriggerOutcome>> during = new ArrayList<>();
            during.add(mist.triggers().send("USER_NEW", known, true));
            for (int i = 0; i < NEW_VIEWERS; i++) {
                during.add(mist.triggers().send("USER_NEW", viewer("sess-new-" + i, i + 1), true));
            }
            for (int i = 0; i < during.size(); i++) {
                TriggerOutcome o = during.get(i).get();
                assertDecidedOnTheFirstAttempt(o);
                assertThat(o.allowed()).as(i == 0 ? "the known viewer keeps its last answer" : "a new viewer is denied")
                        .isEqualTo(i == 0);
            }
            assertThat(accessControlLoop).as("still blocked: Mist hangs, nothing delivered").isNotDone();
            assertThat(proxy.mistguard.triggers().breaker().state()).as("catalyst-api's timeouts opened its breaker")
                    .isEqualTo("open");
            // Recover once the breaker lets trials through, so that the re-checks below reach catalyst-api.
            InvalidationIT.await(() -> proxy.mistguard.triggers().breaker().remainingOpen().isZero(), "open time over");

            mist.triggers().clear();
            assertThat(delivered(proxy)).as("nothing delivered while Mist hangs").isFalse();
            mistRecovers.complete(null);
            accessControlLoop.get(); // the lock is free (happens-before), and only then does Mist recover
            mist.faults().clear();
            InvalidationIT.await(() -> delivered(proxy), "the invalidation is delivered after Mist recovers");
            InvalidationIT.await(() -> mist.triggers().outcomes("USER_NEW").size() >= VIEWERS_OF_STREAM,
                                 "Mist re-ran USER_NEW for each viewer of the invalidated stream");
            List<TriggerOutcome> rechecked = mist.triggers().outcomes("USER_NEW");
            assertThat(rechecked).allSatisfy(o -> {
                assertThat(o.payload()).as("re-triggered by invalidate_sessions: 7 lines").hasSize(7)
                        .startsWith(STREAM);
                assertDecidedOnTheFirstAttempt(o);
                assertThat(o.allowed()).as("catalyst-api answered, lock free again").isTrue();
            });
            assertThat(mist.recording().streamsFor("invalidate_sessions")).contains(STREAM);
        }
    }

    /** A USER_NEW payload (mist-api.md §5): stream, address, connection id, protocol, URL, session id. */
    private static List<String> viewer(String session, int n) {
        return List.of(STREAM, "10.0.0." + (10 + n), Integer.toString(100 + n), "HLS",
                       "http://edge/hls/" + STREAM + "/index.m3u8", session);
    }

    private static void assertDecidedOnTheFirstAttempt(TriggerOutcome o) {
        assertThat(o.attemptResults()).as("decided on Mist's first attempt").containsExactly("200");
        assertThat(o.usedDefault()).as("never Mist's default true").isFalse();
        assertThat(o.latency()).as("within the trigger timeout + epsilon, never 25 s").isLessThan(DECIDED_WITHIN);
    }

    private static boolean delivered(TestProxy proxy) {
        InvalidationStats s = proxy.mistguard.invalidationStats();
        return s.sent() >= 1 && s.depth() == 0 && s.inFlight() == 0;
    }

    private static HttpResponse<String> invalidate(TestProxy proxy, String stream) {
        String json = "{\"invalidate_sessions\":\"" + stream + "\"}";
        try {
            return proxy.http.send(HttpRequest.newBuilder(proxy.uri("/"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("command=" + URLEncoder.encode(json, StandardCharsets.UTF_8)))
                    .build(), HttpResponse.BodyHandlers.ofString()); // no timeout, as catalyst-api's client had none
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
