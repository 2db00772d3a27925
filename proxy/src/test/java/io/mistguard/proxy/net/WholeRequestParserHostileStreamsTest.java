package io.mistguard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link StrictRequestDecoder} with its {@link WholeRequestParser} against the decoder alone, on
 * inputs {@link WholeRequestParserPropertiesTest} does not make: limits anywhere from tiny to shipped
 * (so that heads end right at, under and over {@code min(limits) - 4}), up to three cuts, one random
 * byte of a plain stream replaced by any byte, framing fields Netty reads specially (the Hixie-76
 * keys, lengths spelled oddly, {@code Expect} with and without a body), many fields, interned names
 * in every case, odd methods and targets, and gaps between requests of every kind.
 */
class WholeRequestParserHostileStreamsTest {

    @Property(tries = 6000)
    void givesWhatTheDecoderGives(@ForAll("streams") String stream,
                                  @ForAll @IntRange(min = 0, max = 400) int cut1,
                                  @ForAll @IntRange(min = 0, max = 400) int cut2,
                                  @ForAll @IntRange(min = 0, max = 400) int cut3,
                                  @ForAll("lineLimits") int maxInitialLine, @ForAll("headerLimits") int maxHeader,
                                  @ForAll @IntRange(min = -600, max = 300) int mutateAt,
                                  @ForAll @IntRange(min = 0, max = 255) int mutateTo) {
        byte[] bytes = stream.getBytes(StandardCharsets.ISO_8859_1);
        if (mutateAt >= 0 && mutateAt < bytes.length) {
            bytes[mutateAt] = (byte) mutateTo;
        }
        int[] cuts = cut1 % 3 == 0 ? new int[0] : new int[] {cut1, cut2, cut3};
        List<String> reference = WholeRequestDifferential.run(false, maxInitialLine, maxHeader, bytes, cuts);
        List<String> parsed = WholeRequestDifferential.run(true, maxInitialLine, maxHeader, bytes, cuts);
        Statistics.collect(reference.stream().filter(e -> e.startsWith("ok")).count() + " ok");
        assertThat(parsed).isEqualTo(reference);
    }

    @Provide
    Arbitrary<Integer> lineLimits() {
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.integers().between(10, 120)),
                Tuple.of(2, Arbitraries.of(4096, 8192, 4100, 4101)));
    }

    @Provide
    Arbitrary<Integer> headerLimits() {
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.integers().between(10, 200)),
                Tuple.of(2, Arbitraries.of(4096, 8192, 4100, 4101)));
    }

    @Provide
    Arbitrary<String> streams() {
        Arbitrary<String> request = requests();
        Arbitrary<String> gap = Arbitraries.of("", "", "", "", "", "\r\n", "\n", "\r", "\r\n\r\n", " ", "\t", "\u0000",
                "\u000b", "x");
        Arbitrary<String> lead = Arbitraries.of("", "", "", "", "", "", "\r\n", "\r\n\r\n", " ", "\n");
        return Combinators.combine(lead, request, gap, request, gap, Arbitraries.of("", "", "", "GET / HTTP/1.1\r\n\r\n"))
                .as((g0, a, g1, b, g2, c) -> g0 + a + g1 + b + g2 + c);
    }

    private static Arbitrary<String> requests() {
        Arbitrary<String> method = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of("GET")),
                Tuple.of(4, Arbitraries.of("get", "HEAD", "POST", "PUT", "CONNECT", "PRI", "OPTIONS", "TRACE", "Get",
                        "M!#$%&'*+-.^_`|~9", "X".repeat(30))));
        Arbitrary<String> target = Arbitraries.oneOf(
                Arbitraries.of("/", "/api", "*", "/%00", "http://h/a#frag", "/a#b", "h:80", "//x", "/?a=b&c=%7B",
                        "/ws", "/" + "p".repeat(40), "/~!$&'()*+,;=:@[]{}|\\^`\"<>"),
                Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(12));
        Arbitrary<String> version = Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.of("HTTP/1.1")),
                Tuple.of(1, Arbitraries.of("HTTP/1.0", "HTTP/1.01", "HTTP/1.1\t", "HTTP/1.1 ", "HTTP/1.1\r", "HTTP/0.9",
                        "HTTP/3.0", "HTTP/1.2")));
        Arbitrary<String> name = Arbitraries.of("Host", "host", "HOST", "Accept", "accept", "Connection", "connection",
                "Content-Type", "content-type", "Upgrade", "X-Forwarded-For", "Forwarded", "Cookie", "Authorization",
                "Sec-WebSocket-Key1", "Sec-WebSocket-Key2", "sec-websocket-key1", "Sec-WebSocket-Key",
                "Sec-WebSocket-Version", "Keep-Alive", "TE", "Trailer", "Proxy-Connection", "Content-Length",
                "content-length", "Expect", "Transfer-Encoding", "X");
        Arbitrary<String> value = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.of("", " ", "\t", "a", "a ", " a\t", "close", "keep-alive", "Upgrade",
                        "websocket", "upgrade, close", "0", " 0 ", "8", "localhost:4242", "h1, h2", "x y\tz")),
                Tuple.of(1, Arbitraries.of("00", "+0", "0,0", "1", "100-continue", "chunked", "gzip, chunked",
                        "a\u0000b", "\u00e9", "x\ry", "\u007f")));
        Arbitrary<String> field = Combinators.combine(name, Arbitraries.of(":", ": ", ":\t", ":  "), value)
                .as((n, s, v) -> n + s + v + "\r\n");
        Arbitrary<String> many = Arbitraries.integers().between(55, 70)
                .map(k -> "X-N: v\r\n".repeat(k));
        Arbitrary<String> fields = Arbitraries.frequencyOf(Tuple.of(8, field.list().ofMaxSize(5).map(l -> String.join("", l))),
                Tuple.of(1, many));
        Arbitrary<String> after = Arbitraries.of("", "", "", "", "hello", "12345678", "5\r\nhello\r\n0\r\n\r\n",
                "0\r\nX-T: 1\r\n\r\n", "3;ext=1\r\nabc\r\n0\r\n\r\n");
        return Combinators.combine(method, target, version, fields, after)
                .as((m, t, v, f, a) -> m + " " + t + " " + v + "\r\n" + f + "\r\n" + a);
    }
}
