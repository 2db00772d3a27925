package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.FakeCatalystApi.Behaviour;
import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import io.mistguard.sim.trigger.TriggerOutcome;
import io.mistguard.sim.trigger.TriggerSender;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The trigger direction over loopback: sim-mist's trigger sender, which behaves like Mist (5 s per
 * attempt, 5 attempts, then {@code true}; mist-api.md §5), fires {@code USER_NEW} through mistguard's
 * trigger listener at a fake catalyst-api with one fault per case. Every viewer is decided on Mist's
 * first attempt, within the trigger timeout (1 s) plus a generous 2 s for a loaded machine — never
 * Mist's 25 s — and never with Mist's silent {@code true} when the policy is {@code deny} or
 * {@code last-known} (otherwise deny).
 */
class TriggerListenerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    /** Trigger timeout + epsilon: decided well before Mist's own 5 s attempt ends. */
    private static final Duration DECIDED_WITHIN = Duration.ofSeconds(3);
    private static final List<String> VIEWER_A = List.of("video+s1", "10.0.0.7", "41", "HLS", "http://x/a.m3u8", "sess-a");
    private static final List<String> VIEWER_B = List.of("video+s1", "10.0.0.8", "42", "HLS", "http://x/b.m3u8", "sess-b");

    enum Policy {
        DENY(TriggerPolicy.fixed(true, TIMEOUT, TriggerFallback.DENY)),
        LAST_KNOWN(new TriggerPolicy(true, TIMEOUT, TriggerFallback.LAST_KNOWN, TriggerFallback.DENY,
                                     Duration.ofMinutes(10), List.of(0, 5)));

        final TriggerPolicy policy;

        Policy(TriggerPolicy policy) {
            this.policy = policy;
        }
    }

    /** Mist's own timing: 5 s per attempt, 5 attempts. */
    private static TriggerSender mist(TestProxy proxy) {
        return new TriggerSender(TriggerProxies.triggerUrl(proxy), Duration.ofSeconds(5), 5);
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void catalystHangs(Policy policy) throws Exception {
        decidedInTimeAndNeverSilentlyAllowed(policy, Behaviour.HANG, "fallback; reason=timeout");
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void catalystIsSlowerThanTheTriggerTimeout(Policy policy) throws Exception {
        decidedInTimeAndNeverSilentlyAllowed(policy, Behaviour.SLOW, "fallback; reason=timeout");
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void catalystAnswers500(Policy policy) throws Exception {
        decidedInTimeAndNeverSilentlyAllowed(policy, Behaviour.STATUS_500, "fallback; reason=upstream-5xx");
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void catalystRefusesConnections(Policy policy) throws Exception {
        try (TestProxy proxy = TriggerProxies.start(FakeCatalystApi.refusedPort(),
                TriggerProxies.triggers(0, FakeCatalystApi.refusedPort(), policy.policy));
             TriggerSender mist = mist(proxy)) {
            TriggerOutcome o = mist.send("USER_NEW", VIEWER_B, true).get();
            assertDecidedByMistguard(o, false);
        }
    }

    @Test
    void catalystSlowThenRecoveredIsAskedAgainOnTheNextViewer() throws Exception {
        try (FakeCatalystApi catalyst = FakeCatalystApi.start();
             TestProxy proxy = TriggerProxies.start(FakeCatalystApi.refusedPort(),
                     TriggerProxies.triggers(0, catalyst.port(), Policy.DENY.policy));
             TriggerSender mist = mist(proxy)) {
            catalyst.behaviour = Behaviour.SLOW_THEN_RECOVER;
            catalyst.slowCalls = 1;
            catalyst.delay = Duration.ofSeconds(3);
            catalyst.answer = "true";

            TriggerOutcome slow = mist.send("USER_NEW", VIEWER_A, true).get();
            TriggerOutcome recovered = mist.send("USER_NEW", VIEWER_B, true).get();

            assertDecidedByMistguard(slow, false);
            assertDecidedByMistguard(recovered, true);
            assertThat(decision(proxy, VIEWER_B)).isEqualTo("proxied");
        }
    }

    @Test
    void theListenerIsTransparentAndRelaysCatalystsAnswerByteForByte() throws Exception {
        try (FakeCatalystApi catalyst = FakeCatalystApi.start();
             TestProxy proxy = TriggerProxies.start(FakeCatalystApi.refusedPort(),
                     TriggerProxies.triggers(0, catalyst.port(), Policy.DENY.policy));
             TriggerSender mist = mist(proxy)) {
            catalyst.answer = " False\n";
            TriggerOutcome o = mist.send("USER_NEW", VIEWER_A, true).get();

            assertThat(o.response()).isEqualTo(" False\n");
            assertThat(o.allowed()).isFalse();
            FakeCatalystApi.Received r = catalyst.received.peek();
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.uri()).isEqualTo("/api/mist/trigger");
            assertThat(r.body()).isEqualTo(String.join("\n", VIEWER_A));
            assertThat(r.header("X-Trigger")).isEqualTo("USER_NEW");
            assertThat(r.header("X-Trigger-UUID")).isEqualTo(o.triggerUuid());
            assertThat(r.header("X-UUID")).isNotBlank();
            assertThat(r.header("X-Version")).contains("sim-mist");
            assertThat(r.header("Content-Type")).isEqualTo("text/plain");

            HttpResponse<String> admin = proxy.http.send(HttpRequest.newBuilder(proxy.adminUri("/admin/routes")).build(),
                                                         HttpResponse.BodyHandlers.ofString());
            assertThat(admin.body()).contains("\"routes\"", "\"triggers\"", "\"trigger\" : \"USER_NEW\"",
                                              "\"timeout_ms\" : 1000", "\"breaker\"", "\"state\" : \"closed\"");
            HttpResponse<String> metrics = proxy.http.send(HttpRequest.newBuilder(proxy.adminUri("/metrics")).build(),
                                                           HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).contains("mistguard_trigger_seconds_bucket{trigger=\"USER_NEW\",le=\"1.0\"}",
                    "mistguard_trigger_decisions_total{decision=\"proxied\",reason=\"none\",trigger=\"USER_NEW\"} 1.0");
        }
    }

    @Test
    void nonBlockingTriggersAreAnsweredAtOnceAndDeliveredLaterWithTheSameUuid() throws Exception {
        try (FakeCatalystApi catalyst = FakeCatalystApi.start();
             TestProxy proxy = TriggerProxies.start(FakeCatalystApi.refusedPort(),
                     TriggerProxies.triggers(0, catalyst.port(), Policy.DENY.policy));
             TriggerSender mist = mist(proxy)) {
            catalyst.behaviour = Behaviour.STATUS_500;
            TriggerOutcome o = mist.send("USER_END", List.of("sess-a", "video+s1", "HLS", "10.0.0.7", "12", "1000"),
                                         false).get();
            assertThat(o.attemptResults()).containsExactly("200");
            assertThat(o.latency()).isLessThan(DECIDED_WITHIN);

            InvalidationIT.await(() -> catalyst.received("USER_END").size() >= 2, "a failed delivery is retried");
            catalyst.behaviour = Behaviour.ANSWER;
            InvalidationIT.await(() -> proxy.mistguard.triggers().delivery().delivered() == 1, "delivered after recovery");
            assertThat(catalyst.received("USER_END")).extracting(r -> r.header("X-Trigger-UUID"))
                    .containsOnly(o.triggerUuid());
        }
    }

    /** The control: Mist straight at a hung catalyst-api waits every attempt out, then lets the viewer in. */
    @Test
    void withoutMistguardAHungCatalystCostsMistEveryAttemptAndThenAllows() throws Exception {
        try (FakeCatalystApi catalyst = FakeCatalystApi.start();
             TriggerSender mist = new TriggerSender(URI.create("http://127.0.0.1:" + catalyst.port()
                                                                + "/api/mist/trigger"), Duration.ofMillis(200), 5)) {
            catalyst.behaviour = Behaviour.HANG;
            TriggerOutcome o = mist.send("USER_NEW", VIEWER_A, true).get();
            assertThat(o.attemptResults()).hasSize(5).containsOnly("timeout");
            assertThat(o.usedDefault()).isTrue();
            assertThat(o.allowed()).as("Mist's silent default").isTrue();
            assertThat(o.latency()).isGreaterThanOrEqualTo(Duration.ofMillis(5 * 200));
        }
    }

    private static void decidedInTimeAndNeverSilentlyAllowed(Policy policy, Behaviour fault, String decision)
            throws Exception {
        try (FakeCatalystApi catalyst = FakeCatalystApi.start();
             TestProxy proxy = TriggerProxies.start(FakeCatalystApi.refusedPort(),
                     TriggerProxies.triggers(0, catalyst.port(), policy.policy));
             TriggerSender mist = mist(proxy)) {
            catalyst.answer = "false"; // viewer A is denied while catalyst-api is well
            TriggerOutcome before = mist.send("USER_NEW", VIEWER_A, true).get();
            assertDecidedByMistguard(before, false);

            catalyst.behaviour = fault;
            catalyst.delay = Duration.ofSeconds(3);
            TriggerOutcome knownViewer = mist.send("USER_NEW", VIEWER_A, true).get();
            TriggerOutcome newViewer = mist.send("USER_NEW", VIEWER_B, true).get();

            assertDecidedByMistguard(knownViewer, false);
            assertDecidedByMistguard(newViewer, false);
            assertThat(decision(proxy, VIEWER_B)).isEqualTo(decision);
            if (policy == Policy.LAST_KNOWN) {
                assertThat(decision(proxy, VIEWER_A)).isEqualTo(decision.replace("fallback", "last-known"));
            }
        }
    }

    private static void assertDecidedByMistguard(TriggerOutcome o, boolean allowed) {
        assertThat(o.attemptResults()).as("decided on Mist's first attempt").containsExactly("200");
        assertThat(o.usedDefault()).as("never Mist's default").isFalse();
        assertThat(o.latency()).as("within the trigger timeout + epsilon, never 25 s").isLessThan(DECIDED_WITHIN);
        assertThat(o.allowed()).isEqualTo(allowed);
    }

    /** The Mistguard-Decision of one more USER_NEW for {@code viewer}, sent directly. */
    private static String decision(TestProxy proxy, List<String> viewer) throws Exception {
        HttpResponse<String> r = proxy.http.send(HttpRequest.newBuilder(TriggerProxies.triggerUrl(proxy))
                .header("X-Trigger", "USER_NEW").header("X-Trigger-UUID", "probe").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", viewer))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.headers().firstValue("Mistguard-Decision").orElseThrow();
    }
}
