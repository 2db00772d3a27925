package io.mistguard.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mistguard.proxy.exchange.Decision;
import org.junit.jupiter.api.Test;

/** A route's decision counters: every known reason listed from the start, a new one counted when it comes. */
class RouteStatsTest {

    @Test
    void everyDecisionARouteGivesIsListedFromTheStart() {
        RouteStatsSnapshot snapshot = new RouteStats("get-state").snapshot();

        assertThat(snapshot.route()).isEqualTo("get-state");
        assertThat(snapshot.decisions()).containsOnlyKeys(Decision.perRoute()).allSatisfy((reason, n) -> assertThat(n).isZero());
    }

    @Test
    void eachDecisionIsCountedOnItsOwn() {
        RouteStats stats = new RouteStats("get-state");

        stats.decided(Decision.STALE);
        stats.decided(Decision.STALE);
        stats.decided(Decision.PROXIED);

        assertThat(stats.snapshot().decided(Decision.STALE)).isEqualTo(2);
        assertThat(stats.snapshot().decided(Decision.PROXIED)).isEqualTo(1);
        assertThat(stats.snapshot().decided(Decision.TIMEOUT)).isZero();
    }

    @Test
    void aDecisionNoRouteGivesIsRefusedRatherThanCountedUnexported() {
        RouteStats stats = new RouteStats("get-state");

        assertThatThrownBy(() -> stats.decided(Decision.UPSTREAM_5XX)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("UPSTREAM_5XX");
        assertThatThrownBy(() -> stats.decided(Decision.BAD_REQUEST)).isInstanceOf(IllegalArgumentException.class);
        assertThat(stats.snapshot().decided(Decision.UPSTREAM_5XX)).isZero();
    }
}
