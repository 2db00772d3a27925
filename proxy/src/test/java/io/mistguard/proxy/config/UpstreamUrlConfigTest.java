package io.mistguard.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The upstream URL: plain http to a host and port, nothing a proxy would silently ignore. */
class UpstreamUrlConfigTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://127.0.0.1:4242      | 127.0.0.1 | 4242",
            "http://127.0.0.1:4242/     | 127.0.0.1 | 4242",
            "HTTP://mist                | mist      | 80",
            "http://mist.internal/      | mist.internal | 80",
            "http://[::1]:4242          | ::1       | 4242",
            "http://[::1]               | ::1       | 80",
    })
    void parsesValid(String url, String host, int port) {
        assertThat(UpstreamUrl.parse(url)).isEqualTo(new HostPort(host, port));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1:4242               | \"127.0.0.1:4242\" is not an http URL",
            "https://127.0.0.1:4242       | \"https://127.0.0.1:4242\" has scheme \"https\", but Mist's API speaks plain http",
            "http://127.0.0.1:4242/api    | \"http://127.0.0.1:4242/api\" has path \"/api\", but callers' paths are forwarded unchanged",
            "http://127.0.0.1:4242?a=b    | \"http://127.0.0.1:4242?a=b\" has a query, which would be ignored",
            "http://127.0.0.1:4242/#x     | \"http://127.0.0.1:4242/#x\" has a fragment, which would be ignored",
            "http://u:p@127.0.0.1:4242    | \"http://u:p@127.0.0.1:4242\" has user info, which mistguard does not send",
            "http://                      | \"http://\" has no host",
            "http://mist_1:4242           | \"http://mist_1:4242\" has an invalid host name \"mist_1\"",
            "http://::1:4242              | \"http://::1:4242\" is ambiguous; an IPv6 address needs brackets",
    })
    void rejectsInvalid(String url, String message) {
        assertThatThrownBy(() -> UpstreamUrl.parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message + " (expected: http://host[:port], like http://127.0.0.1:4242)");
    }

    @ParameterizedTest
    @CsvSource({ "http://mist:0, 0", "http://mist:70000, 70000" })
    void connectPortMustBeNonZero(String url, int port) {
        assertThatThrownBy(() -> UpstreamUrl.parse(url))
                .hasMessage('"' + url + "\" has port " + port + " (expected: 1 to 65535)");
    }
}
