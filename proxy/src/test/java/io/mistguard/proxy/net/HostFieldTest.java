package io.mistguard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 9112 §3.2's {@code Host} rules ({@link HostField}). */
class HostFieldTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "mist", "mist:4242", "127.0.0.1", "127.0.0.1:4243", "[::1]", "[::1]:4242",
            "[v1.fe80::a+en1]", "my-host.example.", "a%41b", "x:", "sub!$&'()*+,;=delims",
            // found by a fresh review: an IPv4 tail after any prefix is RFC 3986's
            "[64:ff9b::192.0.2.1]:4243", "[2001:db8::1.2.3.4]", "[1:2:3:4:5:6:1.2.3.4]", "[1:2:3:4:5:6:7::]",
            "[1:2:3:4:5:6:7:8]", "[::]"})
    void validValuesPass(String value) {
        assertThat(HostField.isValid(value)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "a:80x", "a:-1", "user@host", "a/b", "[::1", "[::1]x", "[nothex]", "a%4",
            "a%zz", "h\u00e9", "a:1:2", "[v.x]",
            // found by a second fresh review: Netty's IPv6 check ignores whatever follows a zone's %
            "[::1% x,y z]", "[::1%]", "[fe80::1%eth0]", "[fe80::1%25eth0]", "]x[", "%zz",
            "[::ffff:01.2.3.4]", "[::ffff:1.2.3]", "[::ffff:1.2.3.256]", "[1:2:3:4:5:6:7:8:9]", "[1::2::3]",
            "[00001::1]", "[1:2:3:4:5:6:7:8::]", "[:1::2]", "[\uff11::1]"})
    void invalidValuesAreRefused(String value) {
        assertThat(HostField.isValid(value)).isFalse();
    }

    /**
     * Regression (a fresh review): Mist's own HTTP client (MistUtilLoad's polls) writes an IPv6 node's
     * host without brackets; refusing it broke those polls on IPv6 clusters.
     */
    @ParameterizedTest
    @ValueSource(strings = {"::1:4243", "2001:db8::5:4242", "::1"})
    void mistsOwnClientsBracketlessIpv6HostIsAcceptedRegression(String host) {
        assertThat(HostField.problem(request(HttpVersion.HTTP_1_1, host))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1:2:3", "::1:x", "::1:", "a:b"})
    void otherValuesWithColonsAreStillRefused(String host) {
        assertThat(HostField.problem(request(HttpVersion.HTTP_1_1, host))).isNotNull();
    }

    @Test
    void anHttp11RequestNeedsHostAndAnHttp10OneDoesNot() {
        assertThat(HostField.problem(request(HttpVersion.HTTP_1_1))).contains("must carry a Host");
        assertThat(HostField.problem(request(HttpVersion.HTTP_1_0))).isNull();
    }

    @Test
    void oneHostLineOnlyWhateverTheVersion() {
        for (HttpVersion version : new HttpVersion[] {HttpVersion.HTTP_1_0, HttpVersion.HTTP_1_1}) {
            HttpRequest twice = request(version, "a", "a");
            assertThat(HostField.problem(twice)).contains("more than one Host");
            assertThat(HostField.problem(request(version, "a"))).isNull();
        }
    }

    private static HttpRequest request(HttpVersion version, String... hosts) {
        HttpRequest request = new DefaultHttpRequest(version, HttpMethod.GET, "/");
        for (String host : hosts) {
            request.headers().add("Host", host);
        }
        return request;
    }
}
