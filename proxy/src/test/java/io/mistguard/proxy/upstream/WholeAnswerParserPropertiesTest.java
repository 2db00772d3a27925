package io.mistguard.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.net.OneReadAggregator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * {@link UpstreamCodec} with its {@link WholeAnswerParser} gives what Netty's decoder and
 * {@link OneReadAggregator} give without it, for any bytes an upstream may send after one or two
 * {@code GET}s and any cut of them into two reads: the same answers (decoding result, version,
 * status code and reason, fields in order, body), each handed on with the same word on whether bytes
 * were read past it, and every buffer released. The inputs mix the plain answers the parser takes
 * with the near misses it must leave to the decoder: odd status lines and reasons, bad field names,
 * whitespace before a colon, control bytes and obs-text in values, bare CR or LF, obs-fold, lengths
 * duplicated, padded, signed or with a leading zero, {@code Transfer-Encoding}, bodies short or long
 * of their length, and bytes after the answer.
 */
class WholeAnswerParserPropertiesTest {

    private static final int LIMIT = 64;

    @Property(tries = 5000)
    void givesWhatTheDecoderAndAggregatorGive(@ForAll("streams") String stream, @ForAll @IntRange(min = 0, max = 400) int cut,
                                              @ForAll boolean twoRequests) {
        byte[] bytes = stream.getBytes(StandardCharsets.ISO_8859_1);
        Run reference = run(new UpstreamCodec(new HttpDecoderConfig(), 0), bytes, cut, twoRequests); // takes nothing
        Run parsed = run(new UpstreamCodec(new HttpDecoderConfig(), LIMIT), bytes, cut, twoRequests);
        Statistics.collect(parsed.fastPathTaken > 0 ? "parser took an answer" : "decoder read it all");
        // Not vacuous: the parser must have been tried on answers it takes, not only on ones it leaves.
        Statistics.coverage(checker -> checker.check("parser took an answer").percentage(p -> p >= 5));
        assertThat(reference.fastPathTaken).isZero();
        assertThat(parsed.answers).isEqualTo(reference.answers);
    }

    @Example
    void takesAPlainMistAnswer() {
        String answer = "HTTP/1.1 200 OK\r\nContent-Type: text/javascript\r\nContent-Length: 11\r\n"
                        + "Access-Control-Allow-Origin: *\r\n\r\n{\"ok\":true}";
        Run parsed = run(new UpstreamCodec(new HttpDecoderConfig(), LIMIT), answer.getBytes(StandardCharsets.US_ASCII),
                         answer.length(), false);
        assertThat(parsed.fastPathTaken).isEqualTo(1);
        assertThat(parsed.answers).containsExactly(
                "ok HTTP/1.1 200 OK [Content-Type=text/javascript, Content-Length=11, Access-Control-Allow-Origin=*]"
                + " {\"ok\":true} clean=true");
    }

    @Example
    void leavesAnAnswerToAHeadToTheDecoder() {
        UpstreamCodec codec = new UpstreamCodec(new HttpDecoderConfig(), LIMIT);
        List<Object> out = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(codec, new OneReadAggregator(LIMIT));
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/api", Unpooled.EMPTY_BUFFER));
        ReferenceCountUtil.release(channel.readOutbound());
        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", StandardCharsets.US_ASCII));
        Object answer = channel.readInbound();
        assertThat(answer).isInstanceOf(FullHttpResponse.class).isNotInstanceOf(DefaultFullHttpResponse.class);
        assertThat(((FullHttpResponse) answer).content().readableBytes()).isZero();
        ReferenceCountUtil.release(answer);
        channel.finishAndReleaseAll();
    }

    /** What came out of one codec and aggregator, as text to compare, and how many answers the parser took. */
    record Run(List<String> answers, int fastPathTaken) { }

    private static Run run(UpstreamCodec codec, byte[] bytes, int cut, boolean twoRequests) {
        List<String> answers = new ArrayList<>();
        int[] taken = {0};
        EmbeddedChannel channel = new EmbeddedChannel(codec, new OneReadAggregator(LIMIT), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof DefaultFullHttpResponse whole && whole.decoderResult().isSuccess()) {
                    taken[0]++; // the parser's; the aggregator makes its own class, the decoder this one only when refusing
                }
                answers.add(AnswerText.of(msg, codec));
                ReferenceCountUtil.release(msg);
            }
        });
        for (int i = 0; i < (twoRequests ? 2 : 1); i++) {
            channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api", Unpooled.EMPTY_BUFFER));
            ReferenceCountUtil.release(channel.readOutbound());
        }
        int at = Math.min(cut, bytes.length);
        List<ByteBuf> pieces = new ArrayList<>();
        for (int[] read : new int[][] {{0, at}, {at, bytes.length}}) {
            if (read[1] > read[0] && channel.isOpen()) { // closed by a refusal: the rest is never read
                ByteBuf piece = Unpooled.copiedBuffer(bytes, read[0], read[1] - read[0]);
                pieces.add(piece);
                try {
                    channel.writeInbound(piece);
                } catch (Exception refused) { // the aggregator's word on a body over its limit, say
                    answers.add("threw " + refused.getClass().getSimpleName());
                }
            }
        }
        try {
            channel.finishAndReleaseAll();
        } catch (Exception atTheClose) { // an answer cut short by the close, or refused then for its size
            answers.add("at the close: " + atTheClose.getClass().getSimpleName());
        }
        pieces.forEach(piece -> assertThat(piece.refCnt()).as("released").isZero());
        return new Run(answers, taken[0]);
    }

    @Provide
    Arbitrary<String> streams() {
        Arbitrary<String> answer = answers();
        return Combinators.combine(answer, Arbitraries.of("", "", "", "xyz", "\r\n", "HTTP/1.1 2"), answer)
                .as((a, gap, b) -> a + gap + b);
    }

    private static Arbitrary<String> answers() {
        Arbitrary<String> plainStatus = Arbitraries.of("HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found",
                "HTTP/1.1 500 Internal Server Error", "HTTP/1.1 200 Okay", "HTTP/1.1 299 Odd", "HTTP/1.1 403 Forbidden");
        Arbitrary<String> oddStatus = Arbitraries.of(
                "HTTP/1.1 200 ", "HTTP/1.1 200", "HTTP/1.1  200 OK", "HTTP/1.1 200 OK ", "HTTP/1.1 200  OK",
                "HTTP/1.1 200 O\u0001K", "HTTP/1.1 200 Ok\u00e9", "http/1.1 200 OK", "HTTP/1.0 200 OK", "HTTP/1.1 2x0 OK",
                "HTTP/1.1 204 No Content", "HTTP/1.1 205 Reset Content", "HTTP/1.1 304 Not Modified",
                "HTTP/1.1 100 Continue", "HTTP/1.1 101 Switching", "HTTP/1.1 600 Big", "HTTP/1.1 199 Low",
                " HTTP/1.1 200 OK", "HTTP/1.1 200\tOK");
        Arbitrary<String> statusLine = Arbitraries.frequencyOf(Tuple.of(3, plainStatus), Tuple.of(1, oddStatus));
        Arbitrary<String> plainField = Combinators.combine(
                Arbitraries.of("Content-Type", "X-A", "Set-Cookie", "Server", "Www-Authenticate", "Access-Control-Allow-Origin"),
                Arbitraries.of(": ", ":"), Arbitraries.of("text/javascript", "a b", "*", "", "v\t", "v ", "close"))
                .as((n, s, v) -> n + s + v + "\r\n");
        Arbitrary<String> name = Arbitraries.of("Content-Type", "X-A", "X B", "", "X\u00e9", "Transfer-Encoding",
                "transfer-encoding", "Content-Length", "X@Y", "Www-Authenticate");
        Arbitrary<String> separator = Arbitraries.of(": ", ":", ":\t", " : ", ":  ", "\t:");
        Arbitrary<String> value = Arbitraries.of("text/javascript", "", "  ", "x\u0000y", "\u00e9", "v\t",
                "chunked", "gzip", "5", "a\u000by", "a\u007fb");
        Arbitrary<String> ending = Arbitraries.of("\r\n", "\r\n", "\n", "\r");
        Arbitrary<String> oddField = Combinators.combine(name, separator, value, ending).as((n, s, v, e) -> n + s + v + e);
        Arbitrary<String> field = Arbitraries.frequencyOf(Tuple.of(6, plainField), Tuple.of(1, oddField));
        Arbitrary<String> fold = Arbitraries.of("", "", "", "", "", "", "", " folded\r\n");
        Arbitrary<String> length = Arbitraries.of("OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "NONE", "ZERO-PADDED", "SIGNED", "PADDED",
                "TWICE", "TWICE-DIFFERENT", "SHORT", "LONG", "HUGE", "TOO-MANY-DIGITS", "ZERO");
        Arbitrary<String> body = Arbitraries.strings().withChars("{}\":abc \r\n").ofMinLength(0).ofMaxLength(40);
        return Combinators.combine(statusLine, field.list().ofMaxSize(4), fold, length, Arbitraries.integers().between(0, 5), body)
                .as((status, fields, folded, framing, where, content) -> {
                    List<String> lines = new ArrayList<>(fields);
                    String lengthField = lengthField(framing, content.length());
                    lines.add(Math.min(where, lines.size()), lengthField);
                    if (!folded.isEmpty()) {
                        lines.add(folded);
                    }
                    return status + "\r\n" + String.join("", lines) + "\r\n" + content;
                });
    }

    private static String lengthField(String framing, int n) {
        return switch (framing) {
            case "NONE" -> "";
            case "ZERO-PADDED" -> "Content-Length: 0" + n + "\r\n";
            case "SIGNED" -> "Content-Length: +" + n + "\r\n";
            case "PADDED" -> "Content-Length:   " + n + "  \r\n";
            case "TWICE" -> "Content-Length: " + n + "\r\ncontent-length: " + n + "\r\n";
            case "TWICE-DIFFERENT" -> "Content-Length: " + n + "\r\nContent-Length: " + (n + 1) + "\r\n";
            case "SHORT" -> "Content-Length: " + (n + 3) + "\r\n";
            case "LONG" -> "Content-Length: " + Math.max(0, n - 3) + "\r\n";
            case "HUGE" -> "Content-Length: " + (LIMIT + 1) + "\r\n";
            case "TOO-MANY-DIGITS" -> "Content-Length: 0000000000" + n + "\r\n";
            case "ZERO" -> "Content-Length: 0\r\n";
            default -> "Content-Length: " + n + "\r\n";
        };
    }
}
