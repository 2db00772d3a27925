package io.mistguard.proxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.time.Backoff;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Full-jitter backoff bounds, and how a caller's deadline header may shorten a route budget. */
class BackoffAndDeadlineTest {

    @ParameterizedTest(name = "retry {0}, random {1} -> {2}ms")
    @CsvSource({
            "1, 0.0,   0",
            "1, 0.999, 49",
            "2, 0.5,   50",
            "3, 1.0,   200",
            "5, 1.0,   500",
            "30, 1.0,  500",
    })
    void backoffIsUniformUpToTheCappedExponentialCeiling(int retry, double random, long expectedMillis) {
        long nanos = Backoff.nanos(Duration.ofMillis(50), Duration.ofMillis(500), retry, () -> random);
        assertThat(Duration.ofNanos(nanos).toMillis()).isEqualTo(expectedMillis);
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}ms")
    @CsvSource({
            "Mistguard-Timeout-Ms,           1500,  1500",
            "Mistguard-Timeout-Ms,           9000,  4000",
            "x-envoy-expected-rq-timeout-ms, 250,   250",
            "Mistguard-Timeout-Ms,           soon,  4000",
            "Mistguard-Timeout-Ms,           0,     4000",
            "Mistguard-Timeout-Ms,           -5,    4000",
            "Mistguard-Timeout-Ms,           99999999999999999999, 4000",
            "Other-Header,                   10,    4000",
    })
    void callerDeadlineCanOnlyShortenTheBudget(String header, String value, long expectedMillis) {
        HttpHeaders headers = new DefaultHttpHeaders().add(header, value);
        long budget = CallerDeadline.budgetNanos(headers, Duration.ofSeconds(4).toNanos());
        assertThat(Duration.ofNanos(budget).toMillis()).isEqualTo(expectedMillis);
    }
}
