package io.mistguard.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mistguard.proxy.config.rules.TriggerRules;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The load-time faults a review of the trigger listener found (issue #15): configurations that were
 * accepted and then looped, shared answers between viewers, crashed the loader, or did something
 * other than what they say. Each is now a positioned problem (exit 2 from {@code check-config}),
 * reported together with every other problem of the file.
 */
class TriggersConfigReviewRegressionTest {

    private static List<String> problems(String yaml) {
        ConfigException e = catchThrowableOfType(() -> ConfigLoader.parse(yaml, "t.yaml"), ConfigException.class);
        assertThat(e).as("refused:%n%s", yaml).isNotNull();
        return e.problems();
    }

    /** Finding 1: triggers.upstream pointing at mistguard's own listeners was accepted and looped for ever. */
    @Test
    void selfLoopUpstreamIsRefusedAtLoad() {
        assertThat(problems("""
                triggers:
                  listen: 127.0.0.1:4245
                  upstream: http://127.0.0.1:4245/api/mist/trigger
                """)).containsExactly("t.yaml:3:13: triggers.upstream: http://127.0.0.1:4245/api/mist/trigger is the "
                + "trigger listener's own address, so every trigger would be forwarded back to it for ever (expected: "
                + "catalyst-api's address, like http://127.0.0.1:7979/api/mist/trigger)");
        // The same socket by another name: localhost, ::1, or a wildcard listener.
        for (String yaml : List.of(
                "triggers: {listen: '127.0.0.1:4245', upstream: 'http://localhost:4245/api/mist/trigger'}",
                "triggers: {listen: '[::1]:4245', upstream: 'http://localhost:4245/x'}",
                "triggers: {listen: '0.0.0.0:4245', upstream: 'http://127.0.0.1:4245/x'}",
                "triggers: {upstream: 'http://127.0.0.1:4245/x'}")) {
            assertThat(problems(yaml)).singleElement().asString().contains("triggers.upstream:")
                    .contains("the trigger listener's own address");
        }
        assertThat(problems("""
                triggers:
                  upstream: http://127.0.0.1:4245/api/mist/trigger
                  policies: {"": {}}
                """)).as("with every other problem of the section").hasSize(2);
        assertThat(problems("""
                listen: 127.0.0.1:4243
                triggers: {upstream: 'http://127.0.0.1:4243/api/mist/trigger'}
                """)).singleElement().asString().contains("mistguard's own proxy listen address");
        assertThat(problems("""
                admin: {listen: '127.0.0.1:9090'}
                triggers: {upstream: 'http://localhost:9090/api/mist/trigger'}
                """)).singleElement().asString().contains("mistguard's own admin listen address");
    }

    /** Finding 6: the trigger listener on the proxy's or the admin listener's address passed check-config. */
    @Test
    void triggerListenOnTheProxyOrAdminAddressIsRefusedAtLoad() {
        assertThat(problems("""
                listen: 127.0.0.1:4243
                triggers:
                  listen: 127.0.0.1:4243
                """)).containsExactly("t.yaml:3:11: triggers.listen: 127.0.0.1:4243 is also the proxy's listen "
                + "address (expected: a different port)");
        assertThat(problems("""
                admin: {listen: '0.0.0.0:9090'}
                triggers: {listen: '127.0.0.1:9090'}
                """)).singleElement().asString().contains("triggers.listen: 127.0.0.1:9090 is also the admin listen");
    }

    /** Finding 3: a policy named "" crashed the loader (exit 1) and hid every other problem. */
    @Test
    void emptyPolicyNameIsAPositionedProblemNotACrash() {
        assertThat(problems("""
                triggers:
                  upstream: ftp://x
                  policies:
                    "": {timeout: 1s}
                    user_new: {timeout: 1s}
                    "*": {timeout: 1s}
                    USER_NEW: {timeout: 0s}
                """)).containsExactly(
                "t.yaml:2:13: triggers.upstream: \"ftp://x\" is not a plain http URL (expected: http://host[:port]/path, "
                + "like http://127.0.0.1:7979/api/mist/trigger)",
                "t.yaml:4:5: triggers.policies.\"\": \"\" is not a trigger name (expected: a Mist trigger name in capitals, "
                + "like USER_NEW)",
                "t.yaml:5:5: triggers.policies.user_new: \"user_new\" is not a trigger name (expected: a Mist trigger name in "
                + "capitals, like USER_NEW)",
                "t.yaml:6:5: triggers.policies.\"*\": \"*\" is not a trigger name (expected: a Mist trigger name in capitals, "
                + "like USER_NEW)",
                "t.yaml:7:25: triggers.policies.USER_NEW.timeout: \"0s\" is zero (expected: a duration > 0, like 500ms, 5s)");
    }

    /**
     * Found by review: a misspelt trigger name's problem was recorded at {@code triggers.policies},
     * which made every sibling policy count as invalid: their own problems went unreported, and one
     * reached the record's check, reported at {@code triggers:} without its key's line.
     */
    @Test
    void aMisspeltTriggerNameHidesNoOtherPolicysProblemRegression() {
        assertThat(problems("""
                triggers:
                  policies:
                    user_new: {timeout: 1s}
                    PUSH_END: {timeout: 1s}
                    STREAM_SOURCE: {fallback: allow}
                """)).containsExactly(
                "t.yaml:3:5: triggers.policies.user_new: \"user_new\" is not a trigger name (expected: a Mist trigger "
                + "name in capitals, like USER_NEW)",
                "t.yaml:4:25: triggers.policies.PUSH_END.timeout: applies to blocking triggers only; a non-blocking one "
                + "is answered 200 at once and delivered as triggers.delivery says (expected: no such key, or "
                + "blocking: true)",
                "t.yaml:5:31: triggers.policies.STREAM_SOURCE.fallback: allow answers the literal \"true\", which Mist "
                + "would use as STREAM_SOURCE's URL (expected: empty or last-known)");
    }

    /**
     * Finding 3, the class of fault: every rule a record's constructor enforces on the trigger section
     * is one the binder checks first, at its key. Each of these used to reach a constructor check.
     */
    @Test
    void noRecordCheckOfTheTriggerSectionEscapesAsACrash() {
        for (String yaml : List.of(
                "triggers: {policies: {'': {}}}",
                "triggers: {policies: {PUSH_END: {blocking: false}, USER_NEW: {blocking: false}}}",
                "triggers: {policies: {STREAM_SOURCE: {fallback: allow}}}",
                "triggers: {policies: {PUSH_REWRITE: {otherwise: deny}}}",
                "triggers: {policies: {USER_NEW: {key_lines: [7]}}}",
                "triggers: {policies: {USER_NEW: {otherwise: last-known}}}",
                "triggers: {delivery: {initial_backoff: 2s, max_backoff: 1s}}",
                "triggers: {upstream: 'http://:7979/x'}",
                "triggers: {upstream: 'http://h:0/x'}")) {
            assertThat(problems(yaml)).as(yaml).isNotEmpty().allSatisfy(p -> assertThat(p).startsWith("t.yaml:"));
        }
        assertThatConstructorRefuses(() -> TriggersConfig.defaults().withPolicy("", TriggersConfig.defaults().defaultPolicy()));
    }

    private static void assertThatConstructorRefuses(Runnable r) {
        assertThat(catchThrowableOfType(r::run, IllegalArgumentException.class)).isNotNull();
    }

    /**
     * Finding 2: key_lines past the payload made every trigger share one key. The loader refuses a line
     * a trigger's payload never has (USER_NEW: 6 lines, 7 when re-triggered).
     */
    @Test
    void keyLinesBeyondThePayloadAreRefusedAtLoad() {
        assertThat(problems("""
                triggers:
                  policies:
                    USER_NEW: {otherwise: deny, key_lines: [0, 9]}
                    STREAM_SOURCE: {key_lines: [1]}
                """)).containsExactly(
                "t.yaml:3:48: triggers.policies.USER_NEW.key_lines[1]: 9 is past USER_NEW's payload, which has 6 lines "
                + "(7 when re-triggered by invalidate_sessions), so the key would never be there (expected: 0 to 6)",
                "t.yaml:4:33: triggers.policies.STREAM_SOURCE.key_lines[0]: 1 is past STREAM_SOURCE's payload, which "
                + "has 1 line, so the key would never be there (expected: 0 to 0)");
    }

    /**
     * Finding 16: allow/deny on a string-valued trigger (Mist would use "true" as a URL or stream name),
     * and keys that cannot apply (otherwise/max_age/key_lines without last-known; anything but
     * blocking on a non-blocking trigger) were accepted silently. Refused, each at its key.
     */
    @Test
    void senselessTriggerPolicyCombinationsAreRefused() {
        List<String> p = problems("""
                triggers:
                  policies:
                    STREAM_SOURCE: {fallback: allow}
                    PUSH_REWRITE: {fallback: last-known, otherwise: deny}
                    PUSH_OUT_START: {fallback: deny}
                    USER_NEW: {fallback: deny, otherwise: allow, key_lines: [0]}
                    PUSH_END: {timeout: 30s, fallback: deny}
                    MY_TRIGGER: {blocking: false, max_age: 1m}
                """);
        assertThat(p).containsExactly(
                "t.yaml:3:31: triggers.policies.STREAM_SOURCE.fallback: allow answers the literal \"true\", which Mist "
                + "would use as STREAM_SOURCE's URL (expected: empty or last-known)",
                "t.yaml:4:53: triggers.policies.PUSH_REWRITE.otherwise: deny answers the literal \"false\", which Mist "
                + "would use as PUSH_REWRITE's stream name (expected: empty or last-known)",
                "t.yaml:5:32: triggers.policies.PUSH_OUT_START.fallback: deny answers the literal \"false\", which Mist "
                + "would use as PUSH_OUT_START's URL (expected: empty or last-known)",
                "t.yaml:6:43: triggers.policies.USER_NEW.otherwise: applies only with fallback: last-known, and this "
                + "fallback is deny (expected: no such key, or fallback: last-known)",
                "t.yaml:6:61: triggers.policies.USER_NEW.key_lines: applies only with fallback: last-known, and this "
                + "fallback is deny (expected: no such key, or fallback: last-known)",
                "t.yaml:7:25: triggers.policies.PUSH_END.timeout: applies to blocking triggers only; a non-blocking one "
                + "is answered 200 at once and delivered as triggers.delivery says (expected: no such key, or blocking: "
                + "true)",
                "t.yaml:7:40: triggers.policies.PUSH_END.fallback: applies to blocking triggers only; a non-blocking one "
                + "is answered 200 at once and delivered as triggers.delivery says (expected: no such key, or blocking: "
                + "true)",
                "t.yaml:8:44: triggers.policies.MY_TRIGGER.max_age: applies to blocking triggers only; a non-blocking "
                + "one is answered 200 at once and delivered as triggers.delivery says (expected: no such key, or "
                + "blocking: true)");
    }

    /** A route-table breaker may not take the trigger listener's breaker name, which /admin/breakers uses. */
    @Test
    void routeBreakerNamedLikeTheTriggerBreakerIsRefused() {
        assertThat(problems("""
                breakers:
                  mist: {failure_rate: 50}
                  catalyst-api: {failure_rate: 50}
                triggers:
                """)).singleElement().asString().contains("breakers.catalyst-api: the name is the trigger listener's");
    }

    /**
     * Findings 17 and 24: check-config showed a timeout and a fallback for non-blocking triggers, and
     * key lines for policies that keep no answers. Rows show only what applies.
     */
    @Test
    void triggerTableShowsOnlyWhatApplies() throws Exception {
        TriggersConfig t = ConfigLoader.parse("""
                triggers:
                  policies:
                    PUSH_REWRITE: {fallback: empty}
                """, "t.yaml").triggers();

        assertThat(t.policy("PUSH_REWRITE").keyLines()).as("a policy that stores nothing has no key").isEmpty();
        List<String> report = TriggerRules.report(t);
        assertThat(report).contains(
                "TRIGGER          BLOCKING  TIMEOUT  FALLBACK    OTHERWISE MAX-AGE  KEY-LINES VERDICT",
                "PUSH_END         false     -        queued      -         -        -         ok",
                "PUSH_OUT_START   true      1s       last-known  empty     10m      all       ok",
                "PUSH_REWRITE     true      1s       empty       -         -        -         ok",
                "USER_NEW         true      1s       last-known  allow     10m      0,5       ok",
                "*                true      4s       allow       -         -        -         ok",
                "non-blocking triggers: answered 200 at once, then delivered with delivery.timeout 5s, max_attempts 10, "
                + "backoff 200ms..5s, max_pending 1000; timeout and fallback do not apply to them");
    }
}
