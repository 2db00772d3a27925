package io.mistguard.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.net.OneReadAggregator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Hostile inputs for {@link WholeAnswerParser}, against the codec without it: byte mutations of plain
 * answers over all 256 byte values, heads near 4 096 bytes, many fields, bodies at the decoder's piece
 * limit and the aggregator's, HEAD and GET mixed, interim answers, control bytes between answers,
 * three-plus reads, pooled direct buffers, and the real pipeline's HeadOnlyAnswers.
 */
class WholeAnswerParserHostileInputsTest {

    record Setup(int maxChunk, int aggregatorLimit, int maxHeader) { }

    private static final Setup[] SETUPS = {
        new Setup(8192, 64, 8192),          // the existing test's
        new Setup(32, 64, 64 * 1024),       // the decoder's piece below the aggregator's limit
        new Setup(1 << 20, 10_000, 64 * 1024), // prod-like
        new Setup(8192, 8192, 4096),        // a header limit of 4096
    };

    @Property(tries = 3000)
    void mutatedStreamsGiveWhatTheDecoderGives(@ForAll("seeds") long seed) {
        Random r = new Random(seed);
        Setup setup = SETUPS[r.nextInt(SETUPS.length)];
        byte[] bytes = stream(r, setup);
        List<HttpMethod> methods = new ArrayList<>();
        int requests = 1 + r.nextInt(3);
        for (int i = 0; i < requests; i++) {
            methods.add(r.nextInt(6) == 0 ? HttpMethod.HEAD : HttpMethod.GET);
        }
        int[] cuts = cuts(r, bytes.length);
        boolean direct = r.nextBoolean();
        Run reference = run(setup, 0, bytes, cuts, methods, direct);
        Run parsed = run(setup, setup.aggregatorLimit(), bytes, cuts, methods, direct);
        long taken = parsed.answers.stream().filter(a -> a.startsWith("PARSER")).count();
        net.jqwik.api.statistics.Statistics.collect(taken > 0 ? "parser took" : "parser took none");
        assertThat(parsed.answers.stream().map(a -> a.replace("PARSER ", "")).toList()).as("seed %d setup %s bytes:%n%s", seed, setup, show(bytes)).isEqualTo(reference.answers);
    }

    /** An answer the aggregator refuses for its size, then one the parser takes, in the same read. */
    @net.jqwik.api.Example
    void oversizedThenPlain() {
        String a = "HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n" + "x".repeat(65);
        String b = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
        byte[] bytes = (a + b).getBytes(StandardCharsets.US_ASCII);
        for (Setup setup : SETUPS) {
            Run reference = run(setup, 0, bytes, new int[0], List.of(HttpMethod.GET, HttpMethod.GET), false);
            Run parsed = run(setup, setup.aggregatorLimit(), bytes, new int[0], List.of(HttpMethod.GET, HttpMethod.GET), false);
            assertThat(parsed.answers.stream().map(x -> x.replace("PARSER ", "")).toList()).as("%s", setup)
                    .isEqualTo(reference.answers);
        }
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    static String show(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (c == '\r') s.append("\\r");
            else if (c == '\n') s.append("\\n\n");
            else if (c < 0x20 || c >= 0x7F) s.append(String.format("\\x%02x", c));
            else s.append((char) c);
        }
        return s.toString();
    }

    private static int[] cuts(Random r, int length) {
        int k = r.nextInt(4);
        int[] cuts = new int[k];
        for (int i = 0; i < k; i++) {
            cuts[i] = length == 0 ? 0 : r.nextInt(length + 1);
        }
        java.util.Arrays.sort(cuts);
        return cuts;
    }

    static final String[] REASONS = {"OK", "Not Found", "Internal Server Error", "Okay", "Forbidden", "Created",
        "Bad Request", "Success (299)", "Unknown Status (299)", "Server Error (599)", "A\tB", "A  B", "x:y", "OK OK"};
    static final int[] CODES = {200, 200, 200, 201, 299, 400, 403, 404, 500, 502, 599, 100, 101, 103, 204, 304, 205, 199, 600};
    static final String[] NAMES = {"Content-Type", "X-A", "Server", "Access-Control-Allow-Origin", "Www-Authenticate",
        "Connection", "Upgrade", "Sec-WebSocket-Accept", "Trailer", "Keep-Alive", "Date", "Content-Encoding", "Expect",
        "Host", "Set-Cookie", "Content-Length"};
    static final String[] VALUES = {"text/javascript", "close", "keep-alive", "websocket", "*", "", "a b", "x,y",
        "chunked", "gzip", "5", "HTTP/1.1", "Basic realm=\"x\"", "100-continue", "text/html"};

    static byte[] stream(Random r, Setup setup) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int answers = 1 + r.nextInt(3);
        for (int a = 0; a < answers; a++) {
            if (r.nextInt(8) == 0) {
                out.writeBytes(pick(r, new String[] {"\r\n", "\n", "\r\n\r\n", " ", "\u0000", "\t", "\u000b"})
                        .getBytes(StandardCharsets.ISO_8859_1));
            }
            byte[] answer = answer(r, setup);
            int mutations = r.nextInt(3) == 0 ? 1 + r.nextInt(3) : 0;
            for (int m = 0; m < mutations && answer.length > 0; m++) {
                answer = mutate(r, answer);
            }
            out.writeBytes(answer);
        }
        return out.toByteArray();
    }

    static byte[] mutate(Random r, byte[] in) {
        int at = r.nextInt(in.length);
        byte[] special = {0, '\t', ' ', '\r', '\n', ':', (byte) 0x7F, (byte) 0x80, (byte) 0xFF, 0x0B, 0x0C, '0', '1', '9',
            '+', '-', 'A', 'a', (byte) 0xE9, ',', ';', '"', (byte) 0x85, (byte) 0xA0, 0x1C};
        byte b = r.nextBoolean() ? special[r.nextInt(special.length)] : (byte) r.nextInt(256);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (r.nextInt(4)) {
            case 0 -> { // replace
                out.write(in, 0, in.length);
                byte[] o = out.toByteArray();
                o[at] = b;
                return o;
            }
            case 1 -> { // insert
                out.write(in, 0, at);
                out.write(b);
                out.write(in, at, in.length - at);
            }
            case 2 -> { // delete
                out.write(in, 0, at);
                out.write(in, at + 1, in.length - at - 1);
            }
            default -> { // swap case of a letter, or flip the high bit
                out.write(in, 0, in.length);
                byte[] o = out.toByteArray();
                byte c = o[at];
                o[at] = Character.isLetter(c) ? (byte) (c ^ 0x20) : (byte) (c ^ 0x80);
                return o;
            }
        }
        return out.toByteArray();
    }

    static byte[] answer(Random r, Setup setup) {
        StringBuilder head = new StringBuilder();
        String version = r.nextInt(12) == 0 ? pick(r, new String[] {"HTTP/1.0", "http/1.1", "HTTP/1.2", "HTTP/2.0", "HTTP/1.10"})
                                            : "HTTP/1.1";
        boolean plain = r.nextBoolean();
        int code = plain ? new int[] {200, 201, 299, 403, 404, 500, 599}[r.nextInt(7)] : CODES[r.nextInt(CODES.length)];
        String reason = r.nextBoolean() ? HttpResponseStatus.valueOf(code).reasonPhrase() : pick(r, REASONS);
        head.append(version).append(' ').append(code).append(' ').append(reason).append("\r\n");
        int fields = r.nextInt(5) == 0 ? 55 + r.nextInt(15) : r.nextInt(5);
        int bodyLength = switch (r.nextInt(6)) {
            case 0 -> setup.maxChunk() + r.nextInt(3) - 1;
            case 1 -> setup.aggregatorLimit() + r.nextInt(3) - 1;
            case 2 -> plain ? 1 + r.nextInt(3) : r.nextInt(3);
            default -> r.nextInt(50);
        };
        bodyLength = Math.max(0, Math.min(bodyLength, 20_000));
        int lengthAt = r.nextInt(fields + 1);
        boolean noLength = !plain && r.nextInt(12) == 0;
        for (int i = 0; i <= fields; i++) {
            if (i == lengthAt && !noLength) {
                head.append(pick(r, new String[] {"Content-Length", "content-length", "CONTENT-LENGTH", "Content-length"}))
                    .append(pick(r, new String[] {": ", ":", ":\t", ":  "})).append(bodyLength)
                    .append(pick(r, new String[] {"", "", "", " ", "\t"})).append("\r\n");
            }
            if (i < fields) {
                head.append(pick(r, NAMES)).append(pick(r, new String[] {": ", ":", ": \t"})).append(pick(r, VALUES))
                    .append("\r\n");
            }
        }
        if (r.nextInt(6) == 0) { // pad the head to near 4096 bytes
            int target = 4096 + r.nextInt(9) - 4 - 2;
            int room = target - head.length() - "X-Pad: \r\n".length();
            if (room >= 0) {
                head.append("X-Pad: ").append("p".repeat(room)).append("\r\n");
            }
        }
        head.append("\r\n");
        byte[] body = new byte[bodyLength];
        for (int i = 0; i < bodyLength; i++) {
            body[i] = (byte) (r.nextInt(8) == 0 ? "HTTP/1.1 200 OK\r\n".charAt(i % 17) : 'a' + r.nextInt(26));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    static String pick(Random r, String[] from) {
        return from[r.nextInt(from.length)];
    }

    record Run(List<String> answers) { }

    static Run run(Setup setup, int parserLimit, byte[] bytes, int[] cuts, List<HttpMethod> methods, boolean direct) {
        HttpDecoderConfig config = new HttpDecoderConfig().setMaxChunkSize(setup.maxChunk()).setMaxHeaderSize(setup.maxHeader());
        UpstreamCodec codec = new UpstreamCodec(config, parserLimit);
        List<String> answers = new ArrayList<>();
        OneReadAggregator aggregator = new OneReadAggregator(setup.aggregatorLimit());
        EmbeddedChannel channel = new EmbeddedChannel(codec, new HeadOnlyAnswers(), aggregator, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                answers.add(describe(msg, codec));
                ReferenceCountUtil.release(msg);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                answers.add("exception " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
            }
        });
        for (HttpMethod method : methods) {
            if (method == HttpMethod.HEAD) {
                aggregator.answersHead();
            }
            channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/api", Unpooled.EMPTY_BUFFER));
            ReferenceCountUtil.release(channel.readOutbound());
        }
        List<ByteBuf> pieces = new ArrayList<>();
        int from = 0;
        int[] ends = java.util.Arrays.copyOf(cuts, cuts.length + 1);
        ends[cuts.length] = bytes.length;
        for (int end : ends) {
            if (end > from && channel.isOpen()) {
                ByteBuf piece = direct ? PooledByteBufAllocator.DEFAULT.directBuffer(end - from) : Unpooled.buffer(end - from);
                piece.writeBytes(bytes, from, end - from);
                pieces.add(piece);
                try {
                    channel.writeInbound(piece);
                } catch (Exception refused) {
                    answers.add("threw " + refused.getClass().getSimpleName());
                }
                answers.add("| open=" + channel.isOpen());
            }
            from = Math.max(from, end);
        }
        try {
            channel.finishAndReleaseAll();
        } catch (Exception atTheClose) {
            answers.add("at the close: " + atTheClose.getClass().getSimpleName());
        }
        for (ByteBuf piece : pieces) {
            if (piece.refCnt() != 0) {
                answers.add("NOT RELEASED");
                piece.release(piece.refCnt());
            }
        }
        return new Run(answers);
    }

    static String describe(Object msg, UpstreamCodec codec) {
        boolean parsed = msg instanceof io.netty.handler.codec.http.DefaultFullHttpResponse answer
                         && answer.decoderResult().isSuccess();
        String keepAlive = msg instanceof FullHttpResponse answer
                ? " keepAlive=" + io.netty.handler.codec.http.HttpUtil.isKeepAlive(answer) : "";
        return (parsed ? "PARSER " : "") + AnswerText.of(msg, codec) + keepAlive;
    }
}
