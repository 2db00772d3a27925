package io.mistguard.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The attempts-in-flight view: what an operator looks for first comes first. */
class InflightTest {

    @Test
    void attemptsAreListedOldestFirstUntilRemoved() {
        Inflight inflight = new Inflight();
        InflightAttempt newer = new InflightAttempt("get-state", 1, 2_000, 9_000);
        InflightAttempt older = new InflightAttempt("config-write", 2, 1_000, 9_000);
        inflight.add(newer);
        inflight.add(older);

        assertThat(inflight.list(5_000)).containsExactly(older, newer);
        assertThat(older.age(5_000)).isEqualTo(Duration.ofNanos(4_000));
        assertThat(older.untilDeadline(10_000)).isEqualTo(Duration.ofNanos(-1_000));

        inflight.remove(older);
        assertThat(inflight.list(5_000)).containsExactly(newer);
    }
}
