package io.mistguard.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A route's decision counters: every known reason listed from the start, a new one counted when it comes. */
class RouteStatsTest {

    @Test
    void everyKnownReasonIsListedFromTheStart() {
        RouteStatsSnapshot snapshot = new RouteStats("get-state").snapshot();

        assertThat(snapshot.route()).isEqualTo("get-state");
        assertThat(snapshot.decisions()).containsOnlyKeys(Reasons.ALL).allSatisfy((reason, n) -> assertThat(n).isZero());
    }

    @Test
    void aReasonNotKnownUpFrontIsCountedToo() {
        RouteStats stats = new RouteStats("get-state");

        stats.decided("upstream-5xx");
        stats.decided("upstream-5xx");
        stats.decided(Reasons.PROXIED);

        assertThat(stats.snapshot().decided("upstream-5xx")).isEqualTo(2);
        assertThat(stats.snapshot().decided(Reasons.PROXIED)).isEqualTo(1);
        assertThat(stats.snapshot().decided("never-seen")).isZero();
    }
}
