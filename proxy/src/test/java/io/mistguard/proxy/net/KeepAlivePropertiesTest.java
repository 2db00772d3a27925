package io.mistguard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link KeepAlive#isKeepAlive} says what Netty's {@link HttpUtil#isKeepAlive} says, for requests and
 * responses of HTTP/1.0 and 1.1 with no {@code Connection} field, one, or several, each holding any
 * mix of {@code close}, {@code keep-alive} and other tokens in any case, padded or not, and with
 * other fields around them.
 */
class KeepAlivePropertiesTest {

    private static final List<String> TOKENS =
            List.of("close", "CLOSE", "Close", "keep-alive", "Keep-Alive", "KEEP-ALIVE", "upgrade", "te", "closed",
                    "keep-alive-ish", "x-close", "");

    @Property(tries = 2000)
    void sameAnswerAsNetty(@ForAll boolean request, @ForAll boolean http11,
                           @ForAll("connectionFields") List<String> connection,
                           @ForAll("otherFields") List<String> others) {
        HttpVersion version = http11 ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        HttpMessage message = request ? new DefaultHttpRequest(version, HttpMethod.GET, "/api")
                                      : new DefaultHttpResponse(version, HttpResponseStatus.OK);
        others.forEach(name -> message.headers().add(name, "close"));
        connection.forEach(value -> message.headers().add("Connection", value));

        assertThat(KeepAlive.isKeepAlive(message)).as("%s %s", version, message.headers())
                .isEqualTo(HttpUtil.isKeepAlive(message));
    }

    @Example
    void noConnectionFieldFollowsTheVersion() {
        assertThat(KeepAlive.isKeepAlive(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"))).isTrue();
        assertThat(KeepAlive.isKeepAlive(new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/"))).isFalse();
    }

    @Example
    void closeAmongOtherTokensCloses() {
        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().add("connection", "Upgrade,  Close ");
        assertThat(KeepAlive.isKeepAlive(response)).isFalse();
    }

    /** Zero to three {@code Connection} values, each one to three tokens joined by commas and spaces. */
    @Provide
    Arbitrary<List<String>> connectionFields() {
        Arbitrary<String> padded = Arbitraries.of(TOKENS).flatMap(token -> Arbitraries.of("", " ", "  ")
                .map(pad -> pad + token + pad));
        Arbitrary<String> value = padded.list().ofMinSize(1).ofMaxSize(3).map(tokens -> String.join(",", tokens).strip()); // Netty refuses a value with outer whitespace
        return value.list().ofMaxSize(3);
    }

    /** Fields that are not {@code Connection} but whose value says {@code close}: they must not count. */
    @Provide
    Arbitrary<List<String>> otherFields() {
        return Arbitraries.of("Proxy-Connection", "Keep-Alive", "Upgrade", "X-Connection").list().ofMaxSize(2);
    }
}
