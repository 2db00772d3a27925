package io.mistguard.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code invalidations:} section: every key, the empty state file and positioned problems. */
class InvalidationsConfigTest {

    private static final Duration S = Duration.ofSeconds(1);

    @Test
    void everyKeyIsBound() throws ConfigException {
        InvalidationsConfig c = ConfigLoader.parse("""
                invalidations:
                  batch_size: 7
                  max_pending_names: 99
                  call_timeout: 300ms
                  initial_backoff: 10ms
                  max_backoff: 1s
                  paused_recheck: 50ms
                  checkpoint_interval: 250ms
                  state_file: var/inval.state
                  shutdown_grace: 0s
                """, "t.yaml").invalidations();

        assertThat(c).isEqualTo(new InvalidationsConfig(7, 99, Duration.ofMillis(300), Duration.ofMillis(10),
                Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofMillis(250), Path.of("var/inval.state"),
                Duration.ZERO));
    }

    @Test
    void absentSectionMeansDefaultsAndAnEmptyStateFileDisablesDurability() throws ConfigException {
        assertThat(ConfigLoader.parse("", "t.yaml").invalidations()).isEqualTo(InvalidationsConfig.defaults());
        assertThat(InvalidationsConfig.defaults().stateFile()).isEqualTo(Path.of("mistguard-invalidations.state"));
        assertThat(ConfigLoader.parse("invalidations:\n  state_file: \"\"\n", "t.yaml").invalidations().stateFile())
                .isNull();
    }

    /** The documented defaults ({@code deploy/mistguard.yaml}, README) are the ones the queue runs with. */
    @Test
    void defaultsAreTheDocumentedOnes() {
        assertThat(InvalidationsConfig.defaults()).isEqualTo(new InvalidationsConfig(50, 10_000, Duration.ofSeconds(2),
                Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(1),
                Path.of("mistguard-invalidations.state"), Duration.ofSeconds(5)));
    }

    @Test
    void recordRejectsWhatTheQueueCannotRunWith() {
        assertThatThrownBy(() -> new InvalidationsConfig(0, 1, S, S, S, S, S, null, S))
                .hasMessage("batchSize: 0 (expected: from 1 to 1000)");
        assertThatThrownBy(() -> new InvalidationsConfig(1, -1, S, S, S, S, S, null, S))
                .hasMessage("maxPendingNames: -1 (expected: >= 1)");
        assertThatThrownBy(() -> new InvalidationsConfig(1, 1, S, Duration.ZERO, S, S, S, null, S))
                .hasMessage("initialBackoff: 0s (expected: > 0)");
        assertThatThrownBy(() -> new InvalidationsConfig(1, 1, S, S.multipliedBy(2), S, S, S, null, S))
                .hasMessage("maxBackoff: 1s (expected: >= initialBackoff 2s)");
        assertThatThrownBy(() -> new InvalidationsConfig(1, 1, S, S, S, null, S, null, S))
                .isInstanceOf(NullPointerException.class).hasMessage("pausedRecheck");
        assertThatThrownBy(() -> new InvalidationsConfig(1, 1, S, S, S, S, S.negated(), null, S))
                .hasMessage("checkpointInterval: -1s (expected: > 0)");
        assertThatThrownBy(() -> new InvalidationsConfig(1, 1, S, S, S, S, S, null, S.negated()))
                .hasMessage("shutdownGrace: -1s (expected: >= 0)");
        assertThatThrownBy(() -> new InvalidationsConfig(1, 1, S, S, S, S, S, Path.of("/"), S))
                .hasMessage("stateFile: / (expected: a file path)");
        assertThat(new InvalidationsConfig(1, 1, S, S, S, S, S, null, Duration.ZERO).shutdownGrace()).isZero();
    }

    @Test
    void problemsArePositionedAndAllReported() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                invalidations:
                  batch_size: 0
                  initial_backoff: 2s
                  max_backoff: 1s
                  state_file: /var/lib/
                  call_timeout: 0s
                  batch: 3
                """, "t.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "t.yaml:2:15: invalidations.batch_size: \"0\" is out of range (expected: from 1 to 1000)",
                        "t.yaml:4:16: invalidations.max_backoff: 1s is shorter than initial_backoff (2s) "
                                + "(expected: >= initial_backoff)",
                        "t.yaml:5:15: invalidations.state_file: \"/var/lib/\" is not a file path (expected: a file "
                                + "such as mistguard-invalidations.state, or \"\" for none)",
                        "t.yaml:6:17: invalidations.call_timeout: \"0s\" is zero (expected: a duration > 0, like "
                                + "500ms, 5s)",
                        "t.yaml:7:3: invalidations.batch: unknown key \"batch\" (expected one of: batch_size, "
                                + "max_pending_names, call_timeout, initial_backoff, max_backoff, paused_recheck, "
                                + "checkpoint_interval, state_file, shutdown_grace)"));
    }
}
