package io.mistguard.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mistguard.proxy.config.rules.TriggerRules;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code triggers:} section: off when absent, every default when present, per-trigger policies
 * merged key by key over the built-in ones, every problem at its position, and the check-config
 * rule that a blocking trigger's timeout stays below Mist's 5 s attempt (mist-api.md §5).
 */
class TriggersConfigTest {

    @Test
    void absentMeansNoListenerAndAnEmptySectionMeansOneOnLoopbackWithEveryDefault() throws Exception {
        assertThat(ConfigLoader.parse("", "t.yaml").triggers().enabled()).isFalse();

        TriggersConfig t = ConfigLoader.parse("triggers:\n", "t.yaml").triggers();

        assertThat(t.enabled()).isTrue();
        assertThat(t.listen()).isEqualTo(new HostPort("127.0.0.1", 4245));
        assertThat(t.upstream().toString()).isEqualTo("http://127.0.0.1:7979/api/mist/trigger");
        TriggerPolicy userNew = t.policy("USER_NEW");
        assertThat(userNew.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(userNew.fallback()).isEqualTo(TriggerFallback.LAST_KNOWN);
        assertThat(userNew.keyLines()).containsExactly(0, 5);
        assertThat(t.policy("USER_END").blocking()).isFalse();
        assertThat(t.policy("SOMETHING_NEW")).isEqualTo(t.defaultPolicy());
        assertThat(TriggerRules.failures(t)).isEmpty();
    }

    /** The defaults the README's {@code triggers:} table states. */
    @Test
    void defaultsAreTheDocumentedOnes() {
        TriggersConfig d = TriggersConfig.defaults();
        assertThat(d.connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(d.maxRequestBytes()).isEqualTo(64 * 1024);
        assertThat(d.maxResponseBytes()).isEqualTo(64 * 1024);
        assertThat(d.admission()).isEqualTo(new AdmissionConfig(32, 1000, Duration.ofSeconds(1)));
        assertThat(d.breaker()).isEqualTo(BreakerConfig.defaults());
        assertThat(d.lastKnownMaxEntries()).isEqualTo(10_000);
        assertThat(d.lastKnownMaxBytes()).isEqualTo(4L << 20);
        assertThat(d.delivery()).isEqualTo(new TriggerDeliveryConfig(1000, 8L << 20, 4, Duration.ofSeconds(5), 10,
                Duration.ofMillis(200), Duration.ofSeconds(5)));
        assertThat(d.defaultPolicy()).isEqualTo(TriggerPolicy.fixed(true, Duration.ofSeconds(4), TriggerFallback.ALLOW));
        assertThat(d.policy("USER_NEW").otherwise()).isEqualTo(TriggerFallback.ALLOW);
        assertThat(d.policy("STREAM_SOURCE").otherwise()).isEqualTo(TriggerFallback.EMPTY);
        assertThat(d.policy("PUSH_REWRITE").keyLines()).containsExactly(0, 2);
        assertThat(d.policies().values()).filteredOn(TriggerPolicy::blocking)
                .allMatch(p -> p.timeout().equals(Duration.ofSeconds(1)));
    }

    @Test
    void policiesMergeKeyByKeyOverTheBuiltInOnes() throws Exception {
        TriggersConfig t = ConfigLoader.parse("""
                triggers:
                  listen: 127.0.0.1:0
                  upstream: http://10.0.0.5:7979/api/mist/trigger
                  admission: {max_concurrent: 8, max_queue: 50, queue_timeout: 200ms}
                  breaker: {failure_rate: 60, window_calls: 10, open_duration: 3s}
                  delivery: {max_pending: 5, max_attempts: 4, initial_backoff: 100ms, max_backoff: 1s}
                  default: {timeout: 2s, fallback: deny}
                  policies:
                    USER_NEW: {otherwise: deny, max_age: 5m}
                    STREAM_SOURCE: {fallback: empty, timeout: 800ms}
                    MY_TRIGGER: {timeout: 300ms}
                """, "t.yaml").triggers();

        assertThat(t.upstream()).isEqualTo(new TriggersConfig.Upstream("10.0.0.5", 7979, "/api/mist/trigger"));
        assertThat(t.admission()).isEqualTo(new AdmissionConfig(8, 50, Duration.ofMillis(200)));
        assertThat(t.breaker()).isEqualTo(BreakerConfig.countWindow(60, 10, Duration.ofSeconds(3), 1));
        assertThat(t.delivery().maxPending()).isEqualTo(5);
        assertThat(t.delivery().maxAttempts()).isEqualTo(4);
        assertThat(t.policy("USER_NEW")).isEqualTo(new TriggerPolicy(true, Duration.ofSeconds(1),
                TriggerFallback.LAST_KNOWN, TriggerFallback.DENY, Duration.ofMinutes(5), List.of(0, 5)));
        assertThat(t.policy("STREAM_SOURCE").fallback()).isEqualTo(TriggerFallback.EMPTY);
        assertThat(t.policy("STREAM_SOURCE").timeout()).isEqualTo(Duration.ofMillis(800));
        assertThat(t.policy("MY_TRIGGER").timeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(t.policy("MY_TRIGGER").fixedFallback()).as("a name without a built-in starts from default")
                .isEqualTo(TriggerFallback.DENY);
        assertThat(t.policy("OTHER_ONE").timeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsPosition() {
        ConfigException e = catchThrowableOfType(() -> ConfigLoader.parse("""
                triggers:
                  upstream: https://127.0.0.1:7979/api/mist/trigger
                  policies:
                    USER_NEW: {blocking: false, fallback: maybe, otherwise: last-known}
                    PUSH_END: {timout: 1s}
                """, "t.yaml"), ConfigException.class);

        assertThat(e.problems()).containsExactlyInAnyOrder(
                "t.yaml:2:13: triggers.upstream: \"https://127.0.0.1:7979/api/mist/trigger\" is not a plain http URL "
                + "(expected: http://host[:port]/path, like http://127.0.0.1:7979/api/mist/trigger)",
                "t.yaml:4:26: triggers.policies.USER_NEW.blocking: false, but Mist waits for USER_NEW's answer "
                + "(expected: true)",
                "t.yaml:4:43: triggers.policies.USER_NEW.fallback: \"maybe\" is not a trigger fallback "
                + "(expected: allow, deny, empty or last-known)",
                "t.yaml:4:61: triggers.policies.USER_NEW.otherwise: last-known is what otherwise stands in for "
                + "(expected: allow, deny or empty)",
                "t.yaml:5:16: triggers.policies.PUSH_END.timout: unknown key \"timout\" (expected one of: blocking, "
                + "timeout, fallback, otherwise, max_age, key_lines)");
    }

    @Test
    void checkConfigFlagsABlockingTimeoutThatIsNotBelowMistsFiveSecondAttempt() throws Exception {
        TriggersConfig t = ConfigLoader.parse("""
                triggers:
                  policies:
                    USER_NEW: {timeout: 5s}
                    STREAM_SOURCE: {timeout: 4999ms}
                """, "t.yaml").triggers();

        assertThat(TriggerRules.failures(t)).containsExactly("trigger USER_NEW: timeout 5s is not below Mist's 5s "
                + "attempt, so Mist retries (5 x 5s) and then uses its own default answer, true (expected: < 5s)");
        assertThat(TriggerRules.report(t)).anyMatch(l -> l.startsWith("USER_NEW") && l.endsWith("TIMEOUT >= 5s"))
                .anyMatch(l -> l.startsWith("STREAM_SOURCE") && l.endsWith("ok"));
        assertThat(TriggerRules.failures(TriggersConfig.defaults())).as("no listener, nothing to check").isEmpty();
    }
}
