package io.mistguard.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.RetryConfig;
import io.mistguard.proxy.time.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Retry-budget accounting on a fake clock: floor, ratio, and a window that slides. */
class RetryBudgetTest {

    private static final Duration WINDOW = Duration.ofSeconds(10);

    private final ManualClock clock = new ManualClock();

    private RetryBudget budget(double ratio, int minRetries) {
        return new RetryBudget(new RetryConfig(3, Duration.ofMillis(50), Duration.ofMillis(500), ratio, minRetries,
                                               WINDOW), clock);
    }

    @ParameterizedTest(name = "ratio {0}, floor {1}, {2} requests -> {3} retries")
    @CsvSource({
            "0.2, 3, 0,   3",
            "0.2, 3, 10,  5",
            "0.2, 3, 100, 23",
            "0.0, 0, 100, 0",
            "1.0, 0, 7,   7",
            "0.1, 2, 19,  3",
    })
    void allowsTheFloorPlusTheRatioOfRequests(double ratio, int floor, int requests, int allowed) {
        RetryBudget budget = budget(ratio, floor);
        for (int i = 0; i < requests; i++) {
            budget.onRequest();
        }
        int granted = 0;
        while (granted <= requests + floor && budget.tryRetry()) {
            granted++;
        }
        assertThat(granted).isEqualTo(allowed);
    }

    @Test
    void spentRetriesAndEarningRequestsLeaveTheWindowAsItSlides() {
        RetryBudget budget = budget(0.5, 0);
        for (int i = 0; i < 4; i++) {
            budget.onRequest();
        }
        assertThat(budget.tryRetry()).isTrue();
        assertThat(budget.tryRetry()).isTrue();
        assertThat(budget.tryRetry()).as("2 of 4 * 0.5 spent").isFalse();

        clock.advance(WINDOW.dividedBy(2));
        budget.onRequest();
        budget.onRequest();
        assertThat(budget.tryRetry()).as("6 requests earn 3").isTrue();
        assertThat(budget.tryRetry()).isFalse();

        clock.advance(WINDOW.dividedBy(2).plusMillis(1));
        assertThat(budget.tryRetry()).as("the first 4 requests and 2 retries left the window; 2 requests earn 1 "
                                         + "and 1 retry of the second half is still counted").isFalse();

        clock.advance(WINDOW);
        budget.onRequest();
        budget.onRequest();
        assertThat(budget.tryRetry()).as("a fresh window").isTrue();
        assertThat(budget.tryRetry()).isFalse();
    }

    @Test
    void aFailedRetryTakesNothing() {
        RetryBudget budget = budget(0.0, 1);
        assertThat(budget.tryRetry()).isTrue();
        for (int i = 0; i < 5; i++) {
            assertThat(budget.tryRetry()).isFalse();
        }
        clock.advance(WINDOW.plusSeconds(1));
        assertThat(budget.tryRetry()).isTrue();
    }

    @Test
    void aRetryIsCountedInTheBucketOfItsOwnTime() {
        RetryBudget budget = budget(0.0, 1);
        clock.advance(Duration.ofMillis(1500)); // into the window's second bucket

        assertThat(budget.tryRetry()).isTrue();
        assertThat(budget.tryRetry()).isFalse();
    }

    @Test
    void aBucketExactlyOneWindowOldNoLongerCountsEvenBeforeItIsReused() {
        RetryBudget budget = budget(0.0, 1);
        assertThat(budget.tryRetry()).isTrue();

        clock.advance(WINDOW.minusNanos(1));
        assertThat(budget.tryRetry()).as("still inside the window").isFalse();
        clock.advance(Duration.ofNanos(1));
        assertThat(budget.tryRetry()).isTrue();
    }

    @Test
    void theFloorAndTheRatioAddUp() {
        RetryBudget budget = budget(0.5, 1);
        budget.onRequest();
        budget.onRequest();

        assertThat(budget.tryRetry()).isTrue();
        assertThat(budget.tryRetry()).as("1 + 0.5 * 2").isTrue();
        assertThat(budget.tryRetry()).isFalse();
    }
}
