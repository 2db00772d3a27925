package io.mistguard.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The route table's problems, each reported once, at its position, saying what was expected — so an
 * operator can fix a route table from the message alone.
 */
class RoutesConfigTest {

    private static final String CATCH_ALL = "  - {name: z, match: {}, kind: passthrough}\n";

    static Stream<Arguments> badRouteTables() {
        return Stream.of(
                Arguments.of("per-try timeout longer than the route's timeout",
                        "routes:\n  - {name: a, match: {commands: [x]}, kind: read, timeout: 1s, per_try_timeout: 2s}\n"
                                + CATCH_ALL, List.of("r.yaml:2:81: routes[0].per_try_timeout: 2s is longer than the route's timeout (1s), so it "
                                + "could never fire (expected: <= timeout)")),
                Arguments.of("caller gives up before the route answers",
                        "routes:\n  - {name: a, match: {commands: [x]}, kind: read, timeout: 5s, caller_timeout: 4s}\n"
                                + CATCH_ALL, List.of("r.yaml:2:80: routes[0].caller_timeout: the caller gives up after 4s, before the route's "
                                + "timeout (5s) can answer it (expected: timeout < caller_timeout)")),
                Arguments.of("unknown breaker",
                        "routes:\n  - {name: a, match: {commands: [x]}, kind: read, breaker: nope}\n" + CATCH_ALL, List.of("r.yaml:2:60: routes[0].breaker: \"nope\" is not defined (expected: one of mist, or none)")),
                Arguments.of("unknown admission pool",
                        "routes:\n  - {name: a, match: {commands: [x]}, kind: read, admission: pool}\n" + CATCH_ALL, List.of("r.yaml:2:62: routes[0].admission: \"pool\" is not defined (expected: one of mist, or none)")),
                Arguments.of("catch-all before other routes",
                        "routes:\n" + CATCH_ALL + "  - {name: a, match: {commands: [x]}, kind: read}\n", List.of("r.yaml:2:22: routes[0].match: matches every request, so later routes never match "
                                + "(expected: the last route)",
                        "r.yaml:3:22: routes[1].match: the last route must match every request (expected: match: {})")),
                Arguments.of("no catch-all at all",
                        "routes:\n  - {name: a, match: {commands: [x]}, kind: read}\n", List.of("r.yaml:2:22: routes[0].match: the last route must match every request (expected: match: {})")),
                Arguments.of("duplicate route name",
                        "routes:\n  - {name: a, match: {commands: [x]}, kind: read}\n  - {name: a, match: {}, kind: passthrough}\n", List.of("r.yaml:3:12: routes[1].name: \"a\" is used by an earlier route (expected: a unique name)")),
                Arguments.of("unknown kind",
                        "routes:\n  - {name: a, match: {commands: [x]}, kind: sometimes}\n" + CATCH_ALL, List.of("r.yaml:2:45: routes[0].kind: \"sometimes\" is not a route kind (expected one of: read, write, "
                                + "queued, passthrough)")),
                Arguments.of("too many attempts",
                        "routes:\n  - {name: a, match: {commands: [x]}, kind: read, retry: {attempts: 11}}\n" + CATCH_ALL, List.of("r.yaml:2:69: routes[0].retry.attempts: \"11\" is out of range (expected: from 1 to 10)")),
                Arguments.of("unknown match key",
                        "routes:\n  - {name: a, match: {commands: [x], colour: red}, kind: read}\n" + CATCH_ALL, List.of("r.yaml:2:38: routes[0].match.colour: unknown key \"colour\" (expected one of: method, path, "
                                + "commands, command)")),
                // Regression (a fresh review): a bad match value also drew "matches every request", the
                // check blaming the empty match that stood in for it.
                Arguments.of("bad match path, reported once",
                        "routes:\n  - {name: a, match: {path: \"x*y\"}, kind: passthrough}\n" + CATCH_ALL, List.of("r.yaml:2:29: routes[0].match.path: \"x*y\" is not a path (expected: /exact, /prefix* or *)")),
                Arguments.of("bad match command, reported once",
                        "routes:\n  - {name: a, match: {command: \"[1]\"}, kind: passthrough}\n" + CATCH_ALL, List.of("r.yaml:2:32: routes[0].match.command: \"[1]\" is not a JSON object (expected: like {\"config\":{}})")),
                Arguments.of("match commands not a list, reported once",
                        "routes:\n  - {name: a, match: {commands: notalist}, kind: passthrough}\n" + CATCH_ALL, List.of("r.yaml:2:33: routes[0].match.commands: \"notalist\" is not a list (expected: lines starting with \"- \")")),
                Arguments.of("match method not a method, reported once",
                        "routes:\n  - {name: a, match: {method: 5}, kind: passthrough}\n" + CATCH_ALL, List.of("r.yaml:2:31: routes[0].match.method: \"5\" is not an HTTP method (expected: GET, POST, ...)")),
                Arguments.of("last route: a bad path beside a valid method still reports the missing catch-all",
                        "routes:\n  - {name: a, match: {method: GET, path: \"x*\"}, kind: passthrough}\n",
                        List.of("r.yaml:2:22: routes[0].match: the last route must match every request (expected: match: {})",
                                "r.yaml:2:42: routes[0].match.path: \"x*\" is not a path (expected: /exact, /prefix* or *)")),
                Arguments.of("Retry-After catalyst-api would sleep for",
                        "routes:\n  - {name: a, match: {commands: [x]}, kind: write, rejection: {retry_after: 5s}}\n"
                                + CATCH_ALL, List.of("r.yaml:2:77: routes[0].rejection.retry_after: 5s is too long: catalyst-api sleeps for it, "
                                + "uncapped (expected: 0s or 1s)")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRouteTables")
    void eachProblemIsReportedOnceAtItsPosition(String name, String yaml, List<String> expected) {
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "r.yaml"))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.problems()).containsExactlyElementsOf(expected));
    }
}
