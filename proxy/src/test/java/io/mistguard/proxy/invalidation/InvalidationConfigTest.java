package io.mistguard.proxy.invalidation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InvalidationConfigTest {

    private static final Duration S = Duration.ofSeconds(1);

    @Test
    void defaultsAreValidWithAndWithoutStateFile() {
        assertThat(InvalidationConfig.defaults(null).stateFile()).isNull();
        assertThat(InvalidationConfig.defaults(Path.of("inval.state")).batchSize()).isPositive();
    }

    @Test
    void rejectsNonPositiveSizes() {
        assertThatThrownBy(() -> new InvalidationConfig(0, 1, S, S, S, S, null, S))
                .hasMessage("batchSize: 0 (expected: > 0)");
        assertThatThrownBy(() -> new InvalidationConfig(1, -1, S, S, S, S, null, S))
                .hasMessage("maxPendingNames: -1 (expected: > 0)");
    }

    @Test
    void rejectsBadDurations() {
        assertThatThrownBy(() -> new InvalidationConfig(1, 1, Duration.ZERO, S, S, S, null, S))
                .hasMessage("initialBackoff: PT0S (expected: > 0)");
        assertThatThrownBy(() -> new InvalidationConfig(1, 1, S.multipliedBy(2), S, S, S, null, S))
                .hasMessage("maxBackoff: PT1S (expected: >= initialBackoff PT2S)");
        assertThatThrownBy(() -> new InvalidationConfig(1, 1, S, S, null, S, null, S))
                .isInstanceOf(NullPointerException.class).hasMessage("pausedRecheck");
        assertThatThrownBy(() -> new InvalidationConfig(1, 1, S, S, S, S.negated(), null, S))
                .hasMessage("checkpointInterval: PT-1S (expected: > 0)");
        assertThatThrownBy(() -> new InvalidationConfig(1, 1, S, S, S, S, null, S.negated()))
                .hasMessage("shutdownGrace: PT-1S (expected: >= 0)");
        assertThat(new InvalidationConfig(1, 1, S, S, S, S, null, Duration.ZERO).shutdownGrace()).isZero();
    }

    @Test
    void rejectsAStateFileThatIsNoFile() {
        assertThatThrownBy(() -> new InvalidationConfig(1, 1, S, S, S, S, Path.of("/"), S))
                .hasMessage("stateFile: / (expected: a file path)");
    }
}
