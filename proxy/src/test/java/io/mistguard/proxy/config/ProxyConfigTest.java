package io.mistguard.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The config records: their own checks (for code that builds them directly) and the CLI overrides. */
class ProxyConfigTest {

    private static final Duration S = Duration.ofSeconds(1);

    static Stream<Arguments> invalidRecords() {
        UpstreamConfig u = UpstreamConfig.defaults();
        LimitsConfig l = LimitsConfig.defaults();
        ProxyConfig p = ProxyConfig.defaults();
        return Stream.of(
                args(() -> new UpstreamConfig("", 1, S, 1, S, 1), "host: \"\" (expected: not empty)"),
                args(() -> new UpstreamConfig("h", 0, S, 1, S, 1), "port: 0 (expected: from 1 to 65535)"),
                args(() -> new UpstreamConfig("h", 1, Duration.ZERO, 1, S, 1), "connectTimeout: 0s (expected: > 0)"),
                args(() -> new UpstreamConfig("h", 1, S, 0, S, 1), "maxIdleConnectionsPerThread: 0 (expected: >= 1)"),
                args(() -> new UpstreamConfig("h", 1, S, 1, S.negated(), 1), "idleTimeout: -1s (expected: > 0)"),
                args(() -> new UpstreamConfig("h", 1, S, 1, S, 1L << 31),
                     "maxResponseBytes: 2147483648 (expected: <= 2147483647)"),
                args(() -> new LimitsConfig(0, 1, 1, 1, S), "maxInitialLineBytes: 0 (expected: >= 1)"),
                args(() -> new LimitsConfig(1, 0, 1, 1, S), "maxHeaderBytes: 0 (expected: >= 1)"),
                args(() -> new LimitsConfig(1, 1, 0, 1, S), "maxBodyBytes: 0 (expected: >= 1)"),
                args(() -> new LimitsConfig(1, 1, 1, 0, S), "maxConnections: 0 (expected: >= 1)"),
                args(() -> new LimitsConfig(1, 1, 1, 1, Duration.ZERO), "clientIdleTimeout: 0s (expected: > 0)"),
                args(() -> new ProxyConfig(p.listen(), u, Duration.ZERO, l, p.admin(), S, 0),
                     "requestTimeout: 0s (expected: > 0)"),
                args(() -> new ProxyConfig(p.listen(), u, S, l, p.admin(), S.negated(), 0),
                     "shutdownGrace: -1s (expected: >= 0)"),
                args(() -> new ProxyConfig(p.listen(), u, S, l, p.admin(), S, -1),
                     "ioThreads: -1 (expected: from 0 to 1024)"));
    }

    @ParameterizedTest
    @MethodSource("invalidRecords")
    void recordsRejectInvalidFields(Supplier<Object> construct, String message) {
        assertThatThrownBy(construct::get).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void recordsRejectNulls() {
        assertThatThrownBy(() -> new AdminConfig(null)).isInstanceOf(NullPointerException.class).hasMessage("listen");
        assertThatThrownBy(() -> ProxyConfig.defaults().withListen(null))
                .isInstanceOf(NullPointerException.class).hasMessage("listen");
    }

    @Test
    void cliOverridesReplaceOnlyTheirField() {
        ProxyConfig d = ProxyConfig.defaults();
        ProxyConfig c = d.withListen(HostPort.parse("0.0.0.0:80"))
                         .withUpstream("http://[::1]:5000")
                         .withAdminListen(HostPort.parse("127.0.0.1:9"));

        assertThat(c.listen()).isEqualTo(new HostPort("0.0.0.0", 80));
        assertThat(c.upstream().address()).isEqualTo(new HostPort("::1", 5000));
        assertThat(c.upstream().url()).isEqualTo("http://[::1]:5000");
        assertThat(c.upstream().connectTimeout()).isEqualTo(d.upstream().connectTimeout());
        assertThat(c.admin().listen()).isEqualTo(new HostPort("127.0.0.1", 9));
        assertThat(c.limits()).isSameAs(d.limits());
        assertThat(c.requestTimeout()).isEqualTo(d.requestTimeout());
        assertThat(d).isEqualTo(ProxyConfig.defaults()).isNotEqualTo(c);
    }

    @Test
    void upstreamOverrideAcceptsAUriAndRejectsWhatTheFileWould() {
        assertThat(ProxyConfig.defaults().withUpstream(URI.create("http://mist:8080")).upstream().address())
                .isEqualTo(new HostPort("mist", 8080));
        assertThatThrownBy(() -> ProxyConfig.defaults().withUpstream("https://mist"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("\"https://mist\" has scheme \"https\"");
    }

    private static Arguments args(Supplier<Object> construct, String message) {
        return Arguments.of(construct, message);
    }
}
