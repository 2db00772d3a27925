package io.mistguard.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mistguard.proxy.config.ConfigException;
import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.invalidation.StreamNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's docs drift, each pinned to what the code does: the README's example config error is
 * the loader's output, no README points at design notes the repository does not hold, the bench
 * README counts its scripts, and the stream-name rule the README states is the queue's.
 */
class DocsDriftRegressionTest {

    private static final Path README = DeployFiles.ROOT.resolve("README.md");
    private static final Path BENCH_README = DeployFiles.DEPLOY.resolve("bench/README.md");

    @Test
    void theReadmesExampleErrorsAreWhatTheLoaderSays() throws IOException {
        String yaml = "listen: 127.0.0.1:4243\nlisen: 127.0.0.1:4243\nupstream:\n  url: http://127.0.0.1:4242\n"
                      + "  connect_timeout: 5\n";
        String readme = Files.readString(README);
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "mistguard.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).hasSize(2);
                    e.problems().forEach(problem -> assertThat(readme).contains(problem));
                });
    }

    @Test
    void noReadmePointsAtDesignNotesOutsideTheRepository() throws IOException {
        for (Path file : List.of(README, BENCH_README, DeployFiles.ROOT.resolve("sim-mist/README.md"))) {
            assertThat(Files.readString(file)).as(file.toString()).doesNotContain("design.md")
                    .doesNotContain("mist-api.md").doesNotContain("the design's");
        }
    }

    @Test
    void theBenchReadmeCountsAndNamesEveryScript() throws IOException {
        List<String> scripts;
        try (Stream<Path> files = Files.walk(DeployFiles.DEPLOY.resolve("bench"))) {
            scripts = files.filter(f -> f.toString().endsWith(".sh") && !f.getFileName().toString().equals("lib.sh"))
                    .map(f -> DeployFiles.DEPLOY.resolve("bench").relativize(f).toString()).sorted().toList();
        }
        String bench = Files.readString(BENCH_README);
        List<String> counts = List.of("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine");
        assertThat(scripts.size()).as("scripts %s", scripts).isLessThan(counts.size());
        assertThat(bench).startsWith("# Benchmarks\n\n" + counts.get(scripts.size()) + " scripts");
        scripts.forEach(script -> assertThat(bench).contains("`" + script + "`"));
    }

    @Test
    void theStreamNameRuleIsTheOneTheReadmeStates() throws IOException {
        // Queued as given: Mist decides what a name matches.
        assertThat(StreamNames.problem("x/y")).isNull();
        assertThat(StreamNames.problem("a b")).isNull();
        assertThat(StreamNames.problem("video+c447r0acdmqhhhpb")).isNull();
        assertThat(StreamNames.problem("x".repeat(StreamNames.MAX_LENGTH))).isNull();
        // Refused: what the one-name-per-line state file cannot hold, and unbounded memory.
        assertThat(StreamNames.problem("")).isNotNull();
        assertThat(StreamNames.problem("a\nb")).isNotNull();
        assertThat(StreamNames.problem("x".repeat(StreamNames.MAX_LENGTH + 1))).isNotNull();

        assertThat(Files.readString(README).replaceAll("\\s+", " ")).contains("A name that is empty, longer than "
                + StreamNames.MAX_LENGTH + " characters or contains a control character")
                .contains("`x/y` or `a b` included, is queued as given");
    }
}
