package io.mistguard.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, "every problem is reported at once was not quite true": cross-field checks were skipped
 * as soon as one field was wrong, and follow-on problems named values the operator never wrote (the
 * default standing in for a bad value). Each test names one such file and the exact problems.
 */
class EveryProblemAtOnceRegressionTest {

    @Test
    void crossFieldChecksStillRunWhenAnotherFieldIsWrong() {
        String yaml = """
                listen: 127.0.0.1:4243
                request_timeout: ten
                admin:
                  listen: 127.0.0.1:4243
                """;

        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "m.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "m.yaml:2:18: request_timeout: \"ten\" is not a duration (expected: a number with a unit, "
                        + "like 500ms, 5s, 1m)",
                        "m.yaml:4:11: admin.listen: 127.0.0.1:4243 is also the proxy's listen address "
                        + "(expected: a different port)"));
    }

    @Test
    void aBadRouteTimeoutIsNotComparedAsTheDefaultItFellBackTo() {
        String yaml = """
                routes:
                  - name: get-state
                    match: {commands: [active_streams]}
                    kind: read
                    timeout: 3 sec
                    caller_timeout: 4.5s
                  - {name: rest, match: {}, kind: passthrough}
                """;

        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "m.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "m.yaml:5:14: routes[0].timeout: \"3 sec\" is not a duration (expected: a number with a "
                        + "unit, like 500ms, 5s, 1m)"));
    }

    @Test
    void aBadDefaultTimeoutIsNotComparedInEveryRouteThatInheritsIt() {
        String yaml = """
                route_defaults: {timeout: 3 sec}
                routes:
                  - {name: a, match: {commands: [x]}, kind: read, per_try_timeout: 20s}
                  - {name: rest, match: {}, kind: passthrough}
                """;

        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "m.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .asString().startsWith("m.yaml:1:27: route_defaults.timeout: \"3 sec\" is not a duration"));
    }

    @Test
    void aStaleMaxAgeWithoutUnitIsNotAlsoCalledMissing() {
        String yaml = """
                routes:
                  - name: get-state
                    match: {commands: [active_streams]}
                    kind: read
                    stale: {max_age: 10}
                  - {name: rest, match: {}, kind: passthrough}
                """;

        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "m.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "m.yaml:5:22: routes[0].stale.max_age: \"10\" is not a duration (expected: a number with a "
                        + "unit, like 500ms, 5s, 1m)"));
    }

    @Test
    void aStaleSectionWithoutMaxAgeIsStillMissingIt() {
        String yaml = """
                routes:
                  - {name: a, match: {commands: [x]}, kind: read, stale: {while_revalidate: 1s}}
                  - {name: rest, match: {}, kind: passthrough}
                """;

        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "m.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "m.yaml:2:58: routes[0].stale.max_age: missing (expected: the oldest answer served stale, "
                        + "like 10s)"));
    }

    @Test
    void routeDefaultsWithoutRoutesApplyToTheBuiltInTable() throws ConfigException {
        ProxyConfig config = ConfigLoader.parse("route_defaults: {timeout: 8s, retry: {attempts: 3}}\n", "m.yaml");

        PolicyConfig policy = config.policy();
        assertThat(policy.route("nuke-stream").timeout()).isEqualTo(Duration.ofSeconds(8));
        assertThat(policy.route("nuke-stream").perTryTimeout()).isEqualTo(Duration.ofSeconds(8));
        assertThat(policy.route("nuke-stream").retry().attempts()).isEqualTo(3);
        // What a built-in route sets itself stays: GetState's budgets and caller, the catch-all's one attempt.
        assertThat(policy.route("get-state").timeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.route("get-state").perTryTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.route("get-state").callerTimeout()).isEqualTo(Duration.ofMillis(4500));
        assertThat(policy.route("catch-all").retry().attempts()).isEqualTo(1);
        assertThat(policy.route("catch-all").breaker()).isNull();
        assertThat(policy.route("config-read").perTryTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(policy.routes()).extracting(RouteConfig::name)
                .containsExactlyElementsOf(PolicyConfig.defaults().routes().stream().map(RouteConfig::name).toList());
    }

    @Test
    void routeDefaultsThatRepeatTheShippedOnesGiveTheBuiltInTable() throws ConfigException {
        String yaml = """
                route_defaults:
                  timeout: 10s
                  per_try_timeout: 10s
                  retry: {attempts: 2, backoff_base: 50ms, backoff_max: 500ms,
                          budget: {ratio: 0.2, min_retries: 3, window: 10s}}
                  breaker: mist
                  admission: mist
                """;

        assertThat(ConfigLoader.parse(yaml, "m.yaml").policy()).isEqualTo(PolicyConfig.defaults());
    }

    @Test
    void routeDefaultsWithoutRoutesNamingAMissingBreakerIsAProblem() {
        assertThatThrownBy(() -> ConfigLoader.parse("route_defaults: {breaker: other}\n", "m.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "m.yaml:1:27: route_defaults.breaker: \"other\" is not defined (expected: one of mist, "
                        + "or none)"));
    }
}
