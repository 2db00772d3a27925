package io.mistguard.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Duration syntax: what operators may write, and what they are told when it is wrong. */
class DurationsTest {

    @ParameterizedTest
    @CsvSource({
            "250ms,   250000000",
            "5s,      5000000000",
            "1.5s,    1500000000",
            "1m,      60000000000",
            "1h,      3600000000000",
            "0s,      0",
            "0ms,     0",
            "10us,    10000",
            "7ns,     7",
            "0.25ms,  250000",
            "2562047h, 9223369200000000000",
    })
    void parsesValid(String text, long nanos) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "5       | \"5\" is not a duration (expected: a number with a unit, like 500ms, 5s, 1m)",
            "0       | \"0\" is not a duration (expected: a number with a unit, like 500ms, 5s, 1m)",
            "5S      | \"5S\" is not a duration (expected: a number with a unit, like 500ms, 5s, 1m)",
            "5 s     | \"5 s\" is not a duration (expected: a number with a unit, like 500ms, 5s, 1m)",
            ".5s     | \".5s\" is not a duration (expected: a number with a unit, like 500ms, 5s, 1m)",
            "1d      | \"1d\" is not a duration (expected: a number with a unit, like 500ms, 5s, 1m)",
            "PT5S    | \"PT5S\" is not a duration (expected: a number with a unit, like 500ms, 5s, 1m)",
            "-5s     | \"-5s\" is negative (expected: a number with a unit, like 500ms, 5s, 1m)",
            "0.5ns   | \"0.5ns\" is finer than a nanosecond (expected: a number with a unit, like 500ms, 5s, 1m)",
            "2562048h | \"2562048h\" is too long (expected: at most 106751d, which no timeout should come near)",
    })
    void rejectsInvalid(String text, String message) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource({ "0, 0s", "1500000000, 1500ms", "90000000000, 90s", "3600000000000, 1h", "1001, 1001ns" })
    void formatsInTheLargestExactUnit(long nanos, String text) {
        assertThat(Durations.format(Duration.ofNanos(nanos))).isEqualTo(text);
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }
}
