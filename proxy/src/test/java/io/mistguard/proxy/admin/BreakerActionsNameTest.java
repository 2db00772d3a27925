package io.mistguard.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.BreakerConfig;
import io.mistguard.proxy.policy.Breaker;
import io.mistguard.proxy.time.ManualClock;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Regression (issue 16's review): the breaker actions split the decoded path at every '/', so a
 * breaker whose name holds a '/' (sent as {@code %2F}) answered 404 and could not be forced. The
 * action is now the last segment and the name everything before it.
 */
class BreakerActionsNameTest {

    private final Breaker breaker = new Breaker("mist/eu", BreakerConfig.countWindow(50, 4, Duration.ofSeconds(5), 1),
                                                new ManualClock());

    private AdminAnswer post(String uri) {
        return BreakerActions.act(name -> name.equals(breaker.name()) ? breaker : null, new QueryStringDecoder(uri),
                                  "test");
    }

    @Test
    void aBreakerWhoseNameHoldsASlashCanBeForcedAndCleared() {
        assertThat(post("/admin/breakers/mist%2Feu/force-open?for=30s").status().code()).isEqualTo(200);
        assertThat(breaker.snapshot().forced()).isEqualTo("open");
        assertThat(post("/admin/breakers/mist%2Feu/clear").status().code()).isEqualTo(200);
        assertThat(breaker.snapshot().forced()).isEqualTo("none");
    }

    @Test
    void aPathWithoutAnActionOrNameIsStillNotFound() {
        assertThat(post("/admin/breakers/mist%2Feu").status().code()).isEqualTo(404);
        assertThat(post("/admin/breakers//force-open?for=30s").status().code()).isEqualTo(404);
        assertThat(post("/admin/breakers/mist%2Feu/explode").status().code()).isEqualTo(404);
    }

    /** Found by review: {@code ?for=1s&for=1h} was answered "missing ?for=". */
    @Test
    void aDurationGivenTwiceIsSaidToBeGivenTwiceNotMissingRegression() {
        AdminAnswer twice = post("/admin/breakers/mist%2Feu/force-open?for=1s&for=1h");
        assertThat(twice.status().code()).isEqualTo(400);
        assertThat(twice.body()).contains("for: given 2 times (expected: once, like ?for=30s)");
        assertThat(post("/admin/breakers/mist%2Feu/force-open").body()).contains("missing ?for=");
        assertThat(breaker.snapshot().forced()).isEqualTo("none");
    }
}
