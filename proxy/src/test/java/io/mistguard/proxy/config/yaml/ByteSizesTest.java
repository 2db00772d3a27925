package io.mistguard.proxy.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Byte-size syntax: binary and decimal units, and the messages for what is not a size. */
class ByteSizesTest {

    @ParameterizedTest
    @CsvSource({
            "0,        0",
            "512,      512",
            "512B,     512",
            "64KiB,    65536",
            "1MiB,     1048576",
            "1GiB,     1073741824",
            "2TiB,     2199023255552",
            "1KB,      1000",
            "1MB,      1000000",
            "3GB,      3000000000",
            "1.5KiB,   1536",
            "0.5MB,    500000",
    })
    void parsesValid(String text, long bytes) {
        assertThat(ByteSizes.parse(text)).isEqualTo(bytes);
    }

    private static final String EXPECTED =
            "(expected: a number of bytes, optionally with a unit, like 512, 64KiB, 1MiB, 1GiB (KB, MB, GB are " +
            "powers of 1000))";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "64kib   | \"64kib\" is not a byte size",
            "64K     | \"64K\" is not a byte size",
            "1Mb     | \"1Mb\" is not a byte size",
            "1 MiB   | \"1 MiB\" is not a byte size",
            "lots    | \"lots\" is not a byte size",
            "-1      | \"-1\" is negative",
            "1.5     | \"1.5\" is not a whole number of bytes",
            "0.1KiB  | \"0.1KiB\" is not a whole number of bytes",
            "9000000TiB | \"9000000TiB\" is too large",
    })
    void rejectsInvalid(String text, String message) {
        assertThatThrownBy(() -> ByteSizes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message + ' ' + EXPECTED);
    }

    @ParameterizedTest
    @CsvSource({ "0, 0", "65536, 64KiB", "67108864, 64MiB", "1000000, 1MB", "1500, 1500", "2147483647, 2147483647" })
    void formatsInTheLargestExactUnit(long bytes, String text) {
        assertThat(ByteSizes.format(bytes)).isEqualTo(text);
        assertThat(ByteSizes.parse(text)).isEqualTo(bytes);
    }
}
