package io.mistguard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link StrictRequestDecoder} with its {@link WholeRequestParser} gives what it gives without it,
 * for any bytes a caller may send, one to three requests cut into two reads anywhere, under the
 * shipped limits and under limits small enough for a plain head to reach them
 * ({@link WholeRequestDifferential}): the same requests out of the aggregator (decoding result, method, target, version, fields in order, body), the same
 * {@link StrictRequestDecoder#HEAD_STARTED} events between them, the same methods queued for the
 * response encoder, and every buffer released. The inputs mix plain {@code GET}s the parser takes
 * with near misses it must leave to the decoder: other versions and spellings, odd targets and
 * methods, doubled spaces, control bytes and obs-text, bare CR or LF, obs-fold, whitespace before a
 * colon, {@code Expect}, {@code Transfer-Encoding}, lengths with bodies, and CRLFs between requests.
 */
class WholeRequestParserPropertiesTest {

    @Property(tries = 5000)
    void givesWhatTheDecoderGives(@ForAll("streams") String stream, @ForAll @IntRange(min = 0, max = 300) int cut,
                                  @ForAll @IntRange(min = 0, max = 3) int limits) {
        boolean smallLimits = limits == 0; // a quarter of the time
        byte[] bytes = stream.getBytes(StandardCharsets.ISO_8859_1);
        int at = cut >= 150 ? bytes.length : cut; // half the time all in one read, as a caller's GET comes
        int maxInitialLine = smallLimits ? 40 : 4096;
        int maxHeader = smallLimits ? 60 : 8192;
        List<String> reference = WholeRequestDifferential.run(false, maxInitialLine, maxHeader, bytes, at);
        List<String> parsed = WholeRequestDifferential.run(true, maxInitialLine, maxHeader, bytes, at);
        Statistics.collect(takesFirst(maxInitialLine, maxHeader, bytes, at) ? "parser took a request" : "decoder read it all");
        // Not vacuous: the parser must have been tried on requests it takes, not only on ones it leaves.
        Statistics.coverage(checker -> checker.check("parser took a request").percentage(p -> p >= 5));
        assertThat(parsed).isEqualTo(reference);
    }

    @Example
    void takesAPlainGet() {
        byte[] get = "GET /api?x=1 HTTP/1.1\r\nHost: localhost:4242\r\nUser-Agent: curl/8\r\nAccept: */*\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(takesFirst(4096, 8192, get, get.length)).isTrue();
        List<String> parsed = WholeRequestDifferential.run(true, 4096, 8192, get);
        assertThat(parsed).isEqualTo(WholeRequestDifferential.run(false, 4096, 8192, get));
        assertThat(parsed).containsSubsequence("HEAD_STARTED",
                "ok GET /api?x=1 HTTP/1.1 [Host=localhost:4242, User-Agent=curl/8, Accept=*/*] body[] | queued [GET]");
    }

    /**
     * Whether the parser takes the first request: the one it is offered in every run (later ones
     * depend on what came before); the parser the decoder makes, on a copy of the first read.
     */
    private static boolean takesFirst(int maxInitialLine, int maxHeader, byte[] bytes, int at) {
        ByteBuf firstRead = Unpooled.copiedBuffer(bytes, 0, Math.min(at, bytes.length));
        FullHttpRequest first = new WholeRequestParser(new HttpDecoderConfig().getHeadersFactory(), maxInitialLine,
                maxHeader).parse(firstRead);
        firstRead.release();
        if (first == null) {
            return false;
        }
        first.release();
        return true;
    }

    @Provide
    Arbitrary<String> streams() {
        Arbitrary<String> request = requests();
        Arbitrary<String> gap = Arbitraries.of("", "", "", "", "\r\n", "xyz", "\r\n\r\n");
        return Combinators.combine(request, gap, request, Arbitraries.of("", "", request.sample()))
                .as((a, g, b, c) -> a + g + b + c);
    }

    private static Arbitrary<String> requests() {
        Arbitrary<String> plainLine = Arbitraries.of("GET /api HTTP/1.1", "GET /api2?command=%7B%7D HTTP/1.1",
                "HEAD / HTTP/1.1", "DELETE /x HTTP/1.1", "OPTIONS * HTTP/1.1", "GET http://h/y HTTP/1.1",
                "POST /api HTTP/1.1", "GET /{\"a\"}|^`\\ HTTP/1.1", "CUSTOM-METHOD /x HTTP/1.1");
        Arbitrary<String> oddLine = Arbitraries.of("GET  /api HTTP/1.1", "GET /api HTTP/1.0", "GET /api http/1.1",
                "GET /api HTTP/2.0", "GET /a\u0001 HTTP/1.1", "GET /\u00e9 HTTP/1.1", "G@T /api HTTP/1.1", "GET /api",
                "GET /api HTTP/1.1 ", "GET\t/api HTTP/1.1", "get /api HTTP/1.1", " GET /api HTTP/1.1", "GET /api HTTP/1.10",
                "GET /" + "a".repeat(50) + " HTTP/1.1");
        Arbitrary<String> line = Arbitraries.frequencyOf(Tuple.of(3, plainLine), Tuple.of(1, oddLine));
        Arbitrary<String> plainField = Combinators.combine(
                Arbitraries.of("Host", "User-Agent", "Accept", "Connection", "X-A", "Authorization", "Cookie"),
                Arbitraries.of(": ", ":"), Arbitraries.of("localhost:4242", "curl/8", "*/*", "close", "keep-alive", "",
                        "a b", "v\t", "json {\"password\":\"x\"}"))
                .as((n, s, v) -> n + s + v + "\r\n");
        Arbitrary<String> oddField = Combinators.combine(
                Arbitraries.of("Host", "X B", "", "X\u00e9", "Transfer-Encoding", "Expect", "Content-Length", "X@Y",
                        "content-length", "Upgrade"),
                Arbitraries.of(": ", ":", ":\t", " : ", "\t:"),
                Arbitraries.of("x", "", "  ", "x\u0000y", "\u00e9", "chunked", "100-continue", "0", "5", "05", "a\u000by",
                        "websocket", "a\u007fb"),
                Arbitraries.of("\r\n", "\r\n", "\n", "\r"))
                .as((n, s, v, e) -> n + s + v + e);
        Arbitrary<String> field = Arbitraries.frequencyOf(Tuple.of(6, plainField), Tuple.of(1, oddField));
        Arbitrary<String> fold = Arbitraries.of("", "", "", "", "", "", "", " folded\r\n");
        Arbitrary<String> body = Arbitraries.of("", "", "", "", "LENGTH", "ZERO", "CHUNKED");
        return Combinators.combine(line, field.list().ofMaxSize(4), fold, body)
                .as((requestLine, fields, folded, framing) -> {
                    String framingField = switch (framing) {
                        case "LENGTH" -> "Content-Length: 5\r\n";
                        case "ZERO" -> "Content-Length: 0\r\n";
                        case "CHUNKED" -> "Transfer-Encoding: chunked\r\n";
                        default -> "";
                    };
                    String content = switch (framing) {
                        case "LENGTH" -> "hello";
                        case "CHUNKED" -> "5\r\nhello\r\n0\r\n\r\n";
                        default -> "";
                    };
                    return requestLine + "\r\n" + String.join("", fields) + folded + framingField + "\r\n" + content;
                });
    }
}
