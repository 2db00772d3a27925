package io.mistguard.proxy.trigger;

import static io.mistguard.proxy.trigger.TriggerHarness.ms;
import static io.mistguard.proxy.trigger.TriggerHarness.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.AdmissionConfig;
import io.mistguard.proxy.config.BreakerConfig;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import io.mistguard.proxy.config.TriggersConfig;
import io.mistguard.proxy.trigger.TriggerHarness.Result;
import io.mistguard.proxy.upstream.UpstreamFailure;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link TriggerExchange} on fake time with scripted calls to catalyst-api: every blocking trigger is
 * decided within its timeout, with catalyst-api's 200 relayed or the policy's fallback as a 200 —
 * never a non-200 (which Mist would retry 5 × 5 s and then answer {@code true} itself).
 */
class TriggerExchangeTest {

    private static final String[] VIEWER = {"video+s1", "10.0.0.7", "42", "HLS", "http://x/hls/s1/index.m3u8", "sess-1"};

    private static TriggersConfig config(TriggerPolicy userNew) {
        return TriggersConfig.defaults().withListen(new HostPort("127.0.0.1", 0)).withPolicy("USER_NEW", userNew);
    }

    private static TriggerPolicy fixed(TriggerFallback fallback) {
        return TriggerPolicy.fixed(true, Duration.ofSeconds(1), fallback);
    }

    @Test
    void catalystsAnswerIsRelayedByteForByteWithItsTriggerHeadersPassedOn() {
        try (TriggerHarness h = new TriggerHarness(config(fixed(TriggerFallback.DENY)))) {
            TriggerService.Exchange e = h.send("USER_NEW", VIEWER);
            TriggerHarness.Call call = h.only();
            assertThat(call.body).isEqualTo(String.join("\n", VIEWER));
            assertThat(call.uuid).isEqualTo("uuid-USER_NEW-0");
            assertThat(call.request.headers().get("X-Trigger")).isEqualTo("USER_NEW");
            assertThat(call.timeoutNanos).isEqualTo(Duration.ofSeconds(1).toNanos());

            call.answer(200, " False\n");
            h.runPending();

            assertThat(result(e)).isEqualTo(new Result(200, " False\n", "proxied", 1));
            assertThat(h.answered).containsExactly("USER_NEW proxied");
        }
    }

    @ParameterizedTest
    @CsvSource({"ALLOW,true", "DENY,false", "EMPTY,''"})
    void hungCatalystGetsTheFallbackExactlyAtTheTimeoutAndItsCallIsClosed(TriggerFallback fallback, String body) {
        try (TriggerHarness h = new TriggerHarness(config(fixed(fallback)))) {
            TriggerService.Exchange e = h.send("USER_NEW", VIEWER);
            h.advance(ms(999));
            assertThat(e.response().isDone()).isFalse();

            h.advance(ms(1));

            assertThat(result(e)).isEqualTo(new Result(200, body, "fallback; reason=timeout", 1));
            assertThat(h.only().cancels).isEqualTo(1);
            assertThat(h.service.view().admission().inFlight()).isZero();
        }
    }

    @ParameterizedTest
    @CsvSource({"500,upstream-5xx", "503,upstream-5xx", "404,upstream-status", "401,upstream-status"})
    void aNon200IsNeverPassedOnBecauseMistWouldRetryItAndThenAllow(int status, String cause) {
        try (TriggerHarness h = new TriggerHarness(config(fixed(TriggerFallback.DENY)))) {
            TriggerService.Exchange e = h.send("USER_NEW", VIEWER);
            h.only().answer(status, "false");
            h.runPending();
            assertThat(result(e)).isEqualTo(new Result(200, "false", "fallback; reason=" + cause, 1));
        }
    }

    @ParameterizedTest
    @EnumSource(value = UpstreamFailure.class, names = {"CONNECT_REFUSED", "CONNECT_TIMEOUT", "RESET", "BAD_RESPONSE",
                                                          "RESPONSE_TOO_LARGE"})
    void aConnectionFailureAnswersTheFallbackAtOnce(UpstreamFailure failure) {
        try (TriggerHarness h = new TriggerHarness(config(fixed(TriggerFallback.DENY)))) {
            TriggerService.Exchange e = h.send("USER_NEW", VIEWER);
            h.only().fail(failure);
            h.runPending();
            assertThat(result(e)).isEqualTo(new Result(200, "false", "fallback; reason=" + failure.reason(), 1));
        }
    }

    /**
     * Regression: mistguard's own lack of direct memory for catalyst-api's answer was taken as
     * catalyst-api's {@code bad-response} and counted by its breaker. The fallback names
     * {@code out-of-memory}, and the breaker records nothing.
     */
    @Test
    void ownOutOfMemoryAnswersTheFallbackWithoutCountingAgainstCatalystRegression() {
        try (TriggerHarness h = new TriggerHarness(config(fixed(TriggerFallback.DENY)))) {
            TriggerService.Exchange e = h.send("USER_NEW", VIEWER);
            h.only().fail(UpstreamFailure.OUT_OF_MEMORY);
            h.runPending();
            assertThat(result(e)).isEqualTo(new Result(200, "false", "fallback; reason=out-of-memory", 1));
            assertThat(h.service.view().breaker().calls()).as("not catalyst-api's failure").isZero();
            assertThat(h.service.view().admission().inFlight()).isZero();
        }
    }

    @Test
    void lastKnownAnswersCatalystsLastAnswerForTheSameStreamAndSessionWithinMaxAge() {
        TriggerPolicy lastKnown = new TriggerPolicy(true, Duration.ofSeconds(1), TriggerFallback.LAST_KNOWN,
                                                    TriggerFallback.DENY, Duration.ofSeconds(60), List.of(0, 5));
        try (TriggerHarness h = new TriggerHarness(config(lastKnown))) {
            TriggerService.Exchange first = h.send("USER_NEW", VIEWER);
            h.last().answer(200, "true");
            h.runPending();
            assertThat(result(first).decision()).isEqualTo("proxied");

            // Re-triggered by invalidate_sessions: another connection id and a 7th line, same stream + session.
            TriggerService.Exchange again = h.send("USER_NEW", "video+s1", "10.0.0.7", "43", "HLS", "http://x", "sess-1",
                                                   "http://last");
            h.last().answer(500, "oops");
            h.runPending();
            assertThat(result(again)).isEqualTo(new Result(200, "true", "last-known; reason=upstream-5xx", 1));

            TriggerService.Exchange stranger = h.send("USER_NEW", "video+s1", "10.0.0.9", "44", "HLS", "http://x",
                                                      "sess-2");
            h.advance(Duration.ofSeconds(1));
            assertThat(result(stranger)).as("no answer known for this session: otherwise, deny")
                    .isEqualTo(new Result(200, "false", "fallback; reason=timeout", 1));

            h.advance(Duration.ofSeconds(60));
            TriggerService.Exchange late = h.send("USER_NEW", VIEWER);
            h.last().fail(UpstreamFailure.CONNECT_REFUSED);
            h.runPending();
            assertThat(result(late)).as("older than max_age: otherwise")
                    .isEqualTo(new Result(200, "false", "fallback; reason=connect-refused", 1));
        }
    }

    @Test
    void openBreakerAnswersTheFallbackWithoutCallingCatalystUntilItsOpenTimeHasPassed() {
        TriggersConfig config = config(fixed(TriggerFallback.DENY)).withPolicing(
                BreakerConfig.countWindow(100, 2, Duration.ofSeconds(2), 1), TriggersConfig.defaults().admission());
        try (TriggerHarness h = new TriggerHarness(config)) {
            for (int i = 0; i < 2; i++) {
                TriggerService.Exchange e = h.send("USER_NEW", VIEWER);
                h.advance(Duration.ofSeconds(1));
                assertThat(result(e).decision()).isEqualTo("fallback; reason=timeout");
            }
            assertThat(h.service.view().breaker().state()).isEqualTo("open");

            TriggerService.Exchange fast = h.send("USER_NEW", VIEWER);
            assertThat(result(fast)).isEqualTo(new Result(200, "false", "fallback; reason=breaker-open", 0));
            assertThat(h.calls).hasSize(2);

            h.advance(Duration.ofSeconds(2));
            TriggerService.Exchange trial = h.send("USER_NEW", VIEWER);
            h.last().answer(200, "true");
            h.runPending();
            assertThat(result(trial).decision()).isEqualTo("proxied");
            assertThat(h.service.view().breaker().state()).isEqualTo("closed");
        }
    }

    @Test
    void fullAdmissionQueueAnswersOverloadAtOnceAndAWaiterGetsQueueTimeout() {
        TriggersConfig config = config(fixed(TriggerFallback.DENY)).withPolicing(BreakerConfig.defaults(),
                new AdmissionConfig(1, 1, Duration.ofMillis(300)));
        try (TriggerHarness h = new TriggerHarness(config)) {
            TriggerService.Exchange atCatalyst = h.send("USER_NEW", VIEWER);
            TriggerService.Exchange waiting = h.send("USER_NEW", VIEWER);
            TriggerService.Exchange refused = h.send("USER_NEW", VIEWER);

            assertThat(result(refused)).isEqualTo(new Result(200, "false", "fallback; reason=overload", 0));
            h.advance(ms(300));
            assertThat(result(waiting)).isEqualTo(new Result(200, "false", "fallback; reason=queue-timeout", 0));
            h.only().answer(200, "true");
            h.runPending();
            assertThat(result(atCatalyst).body()).isEqualTo("true");
            assertThat(h.service.view().admission().inFlight()).isZero();
            assertThat(h.service.view().admission().queued()).isZero();
            assertThat(h.noTimersLeft()).isTrue();
        }
    }

    /**
     * Regression: a failure of catalyst-api (a connect timeout, a reset, a refusal) that the loop ran
     * after the trigger's deadline had passed, before the deadline's timer, gave the fallback that
     * failure's reason instead of {@code timeout}. It is still catalyst-api's failure.
     */
    @ParameterizedTest
    @EnumSource(value = UpstreamFailure.class, names = {"CONNECT_TIMEOUT", "RESET", "CONNECT_REFUSED"})
    void aFailureRunLateAfterTheDeadlineAnswersTheTimeoutFallback(UpstreamFailure failure) {
        TriggersConfig config = config(fixed(TriggerFallback.DENY));
        try (TriggerHarness h = new TriggerHarness(config)) {
            TriggerService.Exchange calling = h.send("USER_NEW", VIEWER);

            h.step(ms(1200)); // the loop was busy past the deadline
            h.only().fail(failure); // the failure runs before the deadline's timer

            assertThat(result(calling)).isEqualTo(new Result(200, "false", "fallback; reason=timeout", 1));
            assertThat(h.service.view().breaker().calls()).as("catalyst-api's failure all the same").isEqualTo(1);
            assertThat(h.service.view().breaker().failureRate()).isEqualTo(100);
            assertThat(h.service.view().admission().inFlight()).isZero();
            assertThat(h.noTimersLeft()).isTrue();
        }
    }

    /**
     * Regression: a grant that the loop ran after the trigger's deadline had passed (before the
     * deadline's own timer) started a call with no time left, which reached catalyst-api only to be
     * cut and counted against it.
     */
    @Test
    void aGrantRunLateAfterTheDeadlineCallsNobodyAndAnswersTheTimeoutFallback() {
        TriggersConfig config = config(fixed(TriggerFallback.DENY)).withPolicing(BreakerConfig.defaults(),
                new AdmissionConfig(1, 1, Duration.ofSeconds(5))); // no queue timeout before the deadline
        try (TriggerHarness h = new TriggerHarness(config)) {
            h.send("USER_NEW", VIEWER);
            TriggerService.Exchange waiting = h.send("USER_NEW", VIEWER);

            h.step(ms(1200)); // the loop was busy past both deadlines
            h.only().answer(200, "true"); // frees the slot: the waiter's grant is queued on the loop
            h.runPending(); // the grant runs before the deadline timers

            assertThat(h.calls).as("no call for the waiter").hasSize(1);
            assertThat(result(waiting)).isEqualTo(new Result(200, "false", "fallback; reason=timeout", 0));
            assertThat(h.service.view().admission().inFlight()).isZero();
        }
    }

    /**
     * Regression: a loop busy past the trigger's deadline ran the queue wait's timer (due just
     * before it) first, and the fallback said {@code queue-timeout} where a punctual loop's would
     * say {@code timeout}.
     */
    @Test
    void aQueueWaitRunLateAfterTheDeadlineAnswersTheTimeoutFallback() {
        TriggersConfig config = config(fixed(TriggerFallback.DENY)).withPolicing(BreakerConfig.defaults(),
                new AdmissionConfig(1, 1, Duration.ofMillis(999))); // its wait ends 1ms before the deadline
        try (TriggerHarness h = new TriggerHarness(config)) {
            TriggerService.Exchange calling = h.send("USER_NEW", VIEWER);
            TriggerService.Exchange waiting = h.send("USER_NEW", VIEWER);

            h.step(ms(1200)); // the loop was busy past both deadlines
            h.runPending(); // the queue wait, due first, runs first

            assertThat(h.calls).as("no call for the waiter").hasSize(1);
            assertThat(result(waiting)).isEqualTo(new Result(200, "false", "fallback; reason=timeout", 0));
            assertThat(result(calling).decision()).isEqualTo("fallback; reason=timeout");
            h.only().answer(200, "true"); // too late: dropped
            h.runPending();
            assertThat(h.service.view().admission().inFlight()).isZero();
            assertThat(h.service.view().admission().queued()).isZero();
        }
    }

    @Test
    void mistClosingTheConnectionCancelsTheCallFreesTheSlotAndBlamesNobody() {
        TriggersConfig config = config(fixed(TriggerFallback.DENY)).withPolicing(
                BreakerConfig.countWindow(100, 2, Duration.ofSeconds(2), 1), TriggersConfig.defaults().admission());
        try (TriggerHarness h = new TriggerHarness(config)) {
            for (int i = 0; i < 3; i++) {
                TriggerService.Exchange e = h.send("USER_NEW", VIEWER);
                e.cancel().run();
                h.runPending();
                assertThat(result(e).decision()).isEqualTo("rejected; reason=cancelled");
            }
            assertThat(h.calls).allMatch(c -> c.cancels == 1);
            assertThat(h.service.view().admission().inFlight()).isZero();
            assertThat(h.service.view().breaker().state()).as("Mist leaving says nothing of catalyst-api")
                    .isEqualTo("closed");
        }
    }

    @Test
    void unknownTriggerNamesFollowTheDefaultPolicyUnderTheTagOther() {
        try (TriggerHarness h = new TriggerHarness(config(fixed(TriggerFallback.DENY)))) {
            TriggerService.Exchange e = h.send("RECORDING_END", "x");
            h.advance(Duration.ofSeconds(4));
            assertThat(result(e)).isEqualTo(new Result(200, "true", "fallback; reason=timeout", 1));
            assertThat(h.answered).containsExactly("other fallback timeout");
        }
    }

    /**
     * Issue #15, finding 2: a key built from payload lines that are not there made every trigger share
     * one key (a missing line became ""), so with {@code otherwise: deny} an attacker's USER_NEW on
     * another stream got another viewer's {@code true}. A key line missing from the payload, or empty,
     * now means no key: nothing stored, nothing looked up, {@code otherwise} answers.
     */
    @Test
    void keyLinesMissingFromThePayloadNeverShareAnAnswer() {
        // Line 6 (lastUrl) is only there when invalidate_sessions re-triggers USER_NEW.
        TriggerPolicy byLastUrl = new TriggerPolicy(true, Duration.ofSeconds(1), TriggerFallback.LAST_KNOWN,
                TriggerFallback.DENY, Duration.ofMinutes(10), List.of(6));
        TriggerPolicy byLineNine = new TriggerPolicy(true, Duration.ofSeconds(1), TriggerFallback.LAST_KNOWN,
                TriggerFallback.DENY, Duration.ofMinutes(10), List.of(0, 9));
        try (TriggerHarness h = new TriggerHarness(config(byLastUrl).withPolicy("MY_TRIGGER", byLineNine))) {
            TriggerService.Exchange viewer = h.send("USER_NEW", VIEWER);
            h.last().answer(200, "true");
            h.runPending();
            assertThat(result(viewer).decision()).isEqualTo("proxied");
            TriggerService.Exchange other = h.send("MY_TRIGGER", "video+s1", "x");
            h.last().answer(200, "true");
            h.runPending();
            assertThat(h.service.view().lastKnownEntries()).as("no key, nothing stored").isZero();

            String[] attacker = {"secret+s2", "192.0.2.66", "7", "HLS", "http://x/hls/s2/index.m3u8", "sess-evil"};
            TriggerService.Exchange denied = h.send("USER_NEW", attacker);
            TriggerService.Exchange deniedToo = h.send("MY_TRIGGER", "video+s1", "y");
            h.advance(ms(1000));

            assertThat(result(denied)).isEqualTo(new Result(200, "false", "fallback; reason=timeout", 1));
            assertThat(result(deniedToo)).isEqualTo(new Result(200, "false", "fallback; reason=timeout", 1));
            assertThat(result(other).decision()).isEqualTo("proxied");
        }
        assertThat(keyOf("a\n\nc", List.of(1))).as("an empty key line is no key").isNull();
        assertThat(keyOf("a\nb\n", List.of(2))).as("a trailing newline starts no line").isNull();
        assertThat(keyOf("a\nb", List.of(0, 1))).isEqualTo("T\na\nb");
    }

    private static String keyOf(String payload, List<Integer> lines) {
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.copiedBuffer(payload, java.nio.charset.StandardCharsets.UTF_8);
        try {
            return TriggerAnswers.key("T", b, lines);
        } finally {
            b.release();
        }
    }
}
