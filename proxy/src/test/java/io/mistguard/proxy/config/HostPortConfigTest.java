package io.mistguard.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link HostPort}: parsing listen addresses, printing them back, and the record's own checks. */
class HostPortConfigTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1:4243       | 127.0.0.1         | 4243  | 127.0.0.1:4243",
            "0.0.0.0:0            | 0.0.0.0           | 0     | 0.0.0.0:0",
            "localhost:65535      | localhost         | 65535 | localhost:65535",
            "mist-1.internal:80   | mist-1.internal   | 80    | mist-1.internal:80",
            "[::1]:4243           | ::1               | 4243  | [::1]:4243",
            "[fe80::1:2]:8080     | fe80::1:2         | 8080  | [fe80::1:2]:8080",
            "127.0.0.1:04243      | 127.0.0.1         | 4243  | 127.0.0.1:4243",
    })
    void parsesValid(String text, String host, int port, String printed) {
        HostPort parsed = HostPort.parse(text);

        assertThat(parsed).isEqualTo(new HostPort(host, port));
        assertThat(parsed.toString()).isEqualTo(printed);
        assertThat(HostPort.parse(printed)).isEqualTo(parsed);
    }

    private static final String EXPECTED = "(expected: host:port, like 127.0.0.1:4243, localhost:4243 or [::1]:4243)";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "localhost            | \"localhost\" has no port",
            "localhost:           | \"localhost:\" has an invalid port \"\"",
            "localhost:http       | \"localhost:http\" has an invalid port \"http\"",
            ":4243                | \":4243\" has no host (use 0.0.0.0 to listen on all IPv4 interfaces)",
            "::1:4243             | \"::1:4243\" is ambiguous; an IPv6 address needs brackets",
            "[::1]                | \"[::1]\" has no port",
            "[::1:4243            | \"[::1:4243\" has no closing \"]\" after the IPv6 address",
            "[::1]4243            | \"[::1]4243\" has \"4243\" after the IPv6 address",
            "[zz::1]:4243         | \"[zz::1]:4243\" has an invalid IPv6 address \"zz::1\"",
            "256.0.0.1:4243       | \"256.0.0.1:4243\" has an invalid IPv4 address \"256.0.0.1\"",
            "1.2.3:4243           | \"1.2.3:4243\" has an invalid IPv4 address \"1.2.3\"",
            "mist_1:4243          | \"mist_1:4243\" has an invalid host name \"mist_1\"",
            "-mist:4243           | \"-mist:4243\" has an invalid host name \"-mist\"",
            "http://mist:4243     | \"http://mist:4243\" is ambiguous; an IPv6 address needs brackets",
    })
    void rejectsInvalid(String text, String message) {
        String expected = text.contains("://") ? "(expected: http://host[:port], like http://127.0.0.1:4242)"
                                               : EXPECTED;
        assertThatThrownBy(() -> HostPort.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message + ' ' + expected);
    }

    @Test
    void portAboveRangeNamesTheRange() {
        assertThatThrownBy(() -> HostPort.parse("localhost:65536"))
                .hasMessage("\"localhost:65536\" has port 65536 (expected: 0 to 65535)");
    }

    @Test
    void recordRejectsBadFields() {
        assertThatThrownBy(() -> new HostPort("", 1)).hasMessage("host: \"\" (expected: a host name or an IP address)");
        assertThatThrownBy(() -> new HostPort("[::1]", 1))
                .hasMessage("host: [::1] (expected: an IPv6 address without brackets)");
        assertThatThrownBy(() -> new HostPort("a", -1)).hasMessage("port: -1 (expected: 0 to 65535)");
        assertThatThrownBy(() -> new HostPort("a", 65536)).hasMessage("port: 65536 (expected: 0 to 65535)");
        assertThatThrownBy(() -> new HostPort(null, 1)).isInstanceOf(NullPointerException.class).hasMessage("host");
    }
}
