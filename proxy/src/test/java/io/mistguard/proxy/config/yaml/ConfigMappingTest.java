package io.mistguard.proxy.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The generic binder on its own, with a small made-up schema: typed reads, structure problems,
 * and a list of mappings shaped like the coming route table.
 */
class ConfigMappingTest {

    /** A stand-in for a route: what a per-route binder will look like. */
    record Route(String name, Duration timeout, boolean stale) {}

    private static Route route(ConfigMapping m) {
        return new Route(m.string("name", "unnamed"), m.duration("timeout", Duration.ofSeconds(1), false),
                         m.bool("stale", false));
    }

    private static List<Route> routes(ConfigMapping root) {
        return root.list("routes", item -> item.asMapping(ConfigMappingTest::route));
    }

    @Test
    void bindsAListOfMappings() {
        Problems problems = new Problems("r.yaml");
        List<Route> routes = bind("""
                routes:
                  - name: get-state
                    timeout: 4.5s
                    stale: true
                  - name: catch-all
                """, problems, ConfigMappingTest::routes);

        assertThat(problems.formatted()).isEmpty();
        assertThat(routes).containsExactly(new Route("get-state", Duration.ofMillis(4500), true),
                                           new Route("catch-all", Duration.ofSeconds(1), false));
    }

    @Test
    void listItemProblemsNameTheIndex() {
        Problems problems = new Problems("r.yaml");
        List<Route> routes = bind("""
                routes:
                  - name: a
                    timeout: soon
                  - stale: maybe
                    tiemout: 1s
                  - just-a-string
                """, problems, ConfigMappingTest::routes);

        assertThat(problems.formatted()).containsExactly(
                "r.yaml:3:14: routes[0].timeout: \"soon\" is not a duration (expected: a number with a unit, " +
                "like 500ms, 5s, 1m)",
                "r.yaml:4:12: routes[1].stale: \"maybe\" is not a boolean (expected: true or false)",
                "r.yaml:5:5: routes[1].tiemout: unknown key \"tiemout\" (expected one of: name, timeout, stale)",
                "r.yaml:6:5: routes[2]: \"just-a-string\" is not a mapping (expected: indented key: value lines)");
        assertThat(routes).hasSize(2);
    }

    @Test
    void duplicateKeyIsAProblem() {
        Problems problems = new Problems("d.yaml");
        bind("name: a\nname: b\n", problems, m -> m.string("name", ""));

        assertThat(problems.formatted()).containsExactly(
                "d.yaml:2:1: name: duplicate key \"name\" (expected: each key once; first one is on line 1)");
    }

    @Test
    void mergeKeysLetRoutesShareSettings() {
        Problems problems = new Problems("r.yaml");
        List<Route> routes = bind("""
                routes:
                  - &base
                    name: a
                    timeout: 2s
                  - <<: *base
                    name: b
                """, problems, ConfigMappingTest::routes);

        assertThat(problems.formatted()).isEmpty();
        assertThat(routes).containsExactly(new Route("a", Duration.ofSeconds(2), false),
                                           new Route("b", Duration.ofSeconds(2), false));
    }

    @Test
    void nonScalarKeyIsAProblem() {
        Problems problems = new Problems("k.yaml");
        bind("? [a, b]\n: 1\n", problems, m -> null);

        assertThat(problems.formatted()).containsExactly(
                "k.yaml:1:3: a key must be a plain name (expected: name: value)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "n: [1]       | t.yaml:1:4: n: a list is not a number (expected: a whole number from 1 to 10)",
            "n: {a: 1}    | t.yaml:1:4: n: a mapping is not a number (expected: a whole number from 1 to 10)",
            "n:           | t.yaml:1:3: n: no value (expected: a whole number from 1 to 10)",
            "n: ~         | t.yaml:1:4: n: no value (expected: a whole number from 1 to 10)",
            "n: 1.5       | t.yaml:1:4: n: \"1.5\" is not a whole number (expected: a whole number from 1 to 10)",
            "n: 11        | t.yaml:1:4: n: \"11\" is out of range (expected: from 1 to 10)",
            "n: 0x5       | t.yaml:1:4: n: \"0x5\" is not a whole number (expected: a whole number from 1 to 10)",
    })
    void wrongShapesSayWhatWasFoundAndExpected(String yaml, String problem) {
        Problems problems = new Problems("t.yaml");
        int n = bind(yaml, problems, m -> m.integer("n", 7, 1, 10));

        assertThat(problems.formatted()).containsExactly(problem);
        assertThat(n).as("the default stands in for a bad value").isEqualTo(7);
    }

    @Test
    void numberAboveAnIntIsOutOfRange() {
        Problems problems = new Problems("t.yaml");
        bind("n: 2147483648", problems, m -> m.integer("n", 1, 1, Integer.MAX_VALUE));

        assertThat(problems.formatted()).containsExactly(
                "t.yaml:1:4: n: \"2147483648\" is out of range (expected: <= 2147483647)");
    }

    @ParameterizedTest
    @CsvSource({ "'n: 5', 5", "'n: \"5\"', 5", "'n: 1_0', 10", "'', 7" })
    void readsNumbersFromTheirText(String yaml, int expected) {
        Problems problems = new Problems("t.yaml");
        int n = bind(yaml, problems, m -> m.integer("n", 7, 1, 10));

        assertThat(n).isEqualTo(expected);
        assertThat(problems.isEmpty()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({ "true, true", "false, false", "TRUE, true", "False, false" })
    void readsBooleans(String text, boolean expected) {
        Problems problems = new Problems("t.yaml");
        boolean b = bind("b: " + text, problems, m -> m.bool("b", !expected));

        assertThat(b).isEqualTo(expected);
        assertThat(problems.isEmpty()).isTrue();
    }

    @Test
    void mappingThatTakesNoKeysSaysSo() {
        Problems problems = new Problems("t.yaml");
        bind("a: 1\n", problems, m -> null);

        assertThat(problems.formatted()).containsExactly("t.yaml:1:1: a: unknown key \"a\" (expected no keys here)");
    }

    @Test
    void problemAtFallsBackToTheNearestKeyThatExists() {
        Problems problems = new Problems("t.yaml");
        ConfigMapping root = root("a:\n  b: 1\nc: {}\n", problems);
        root.problemAt("a.b", "on b");
        root.problemAt("c.d", "on c");
        root.problemAt("e.f", "on root");

        assertThat(problems.formatted()).containsExactly("t.yaml:1:1: e.f: on root",
                                                         "t.yaml:2:6: a.b: on b",
                                                         "t.yaml:3:4: c.d: on c");
    }

    private static <T> T bind(String yaml, Problems problems, Function<ConfigMapping, T> binder) {
        return root(yaml, problems).bind(binder);
    }

    private static ConfigMapping root(String yaml, Problems problems) {
        Optional<org.snakeyaml.engine.v2.nodes.Node> node = YamlSource.compose(yaml, problems);
        assertThat(problems.formatted()).as("YAML problems").isEmpty();
        if (node.isEmpty()) {
            return ConfigMapping.empty(Optional.empty(), "", problems);
        }
        return ConfigMapping.of((org.snakeyaml.engine.v2.nodes.MappingNode) node.get(), "", problems);
    }
}
