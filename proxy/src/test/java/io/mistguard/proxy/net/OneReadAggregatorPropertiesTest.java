package io.mistguard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link OneReadAggregator} gives what Netty's {@link HttpObjectAggregator} gives, for any stream of
 * HTTP/1.1 messages cut into reads anywhere, one or several pieces per read, reading by itself or
 * not: the same messages (start line, fields, body, trailers, decoding result), the same answers
 * written back, the same errors, the same reads asked for, for bodies framed by length, by chunks
 * (with trailers, or with a broken chunk size) or by the close, small or over the decoder's 8 KiB
 * chunk, within the limit or over it, and every buffer fed in released. Only the body's buffer
 * differs: one piece, not a composite, when the head and the whole body came in one read.
 */
class OneReadAggregatorPropertiesTest {

    /** One message of a stream: its head lines (without the framing field) and its body. */
    record Message(String startLine, List<String> fields, byte[] body, int framing, int chunkSize, boolean trailer) {

        static final int LENGTH = 0;
        static final int CHUNKED = 1;
        static final int TO_CLOSE = 2; // responses only, and only last in a stream
        static final int BAD_CHUNK = 3; // chunked, with a chunk size that is not hex: a decoding failure

        byte[] bytes() {
            StringBuilder head = new StringBuilder(startLine).append("\r\n");
            fields.forEach(f -> head.append(f).append("\r\n"));
            ByteBuf out = Unpooled.buffer();
            if (framing == LENGTH) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            } else if (framing == CHUNKED || framing == BAD_CHUNK) {
                head.append("Transfer-Encoding: chunked\r\n");
            }
            out.writeCharSequence(head.append("\r\n"), StandardCharsets.US_ASCII);
            if (framing == BAD_CHUNK) {
                out.writeCharSequence("zz\r\n", StandardCharsets.US_ASCII);
                out.writeBytes(body);
            } else if (framing == CHUNKED) {
                for (int at = 0; at < body.length; at += chunkSize) {
                    int n = Math.min(chunkSize, body.length - at);
                    out.writeCharSequence(Integer.toHexString(n) + "\r\n", StandardCharsets.US_ASCII);
                    out.writeBytes(body, at, n).writeCharSequence("\r\n", StandardCharsets.US_ASCII);
                }
                out.writeCharSequence("0\r\n" + (trailer ? "X-Checksum: 42\r\n" : "") + "\r\n", StandardCharsets.US_ASCII);
            } else {
                out.writeBytes(body);
            }
            byte[] bytes = ByteBufUtil.getBytes(out);
            out.release();
            return bytes;
        }
    }

    @Provide
    Arbitrary<List<Message>> responses() {
        return messages(Arbitraries.of("HTTP/1.1 200 OK", "HTTP/1.1 500 Internal Server Error", "HTTP/1.1 403 Forbidden",
                                       "HTTP/1.0 200 OK", "HTTP/1.1 204 No Content", "HTTP/1.1 100 Continue"), true);
    }

    @Provide
    Arbitrary<List<Message>> requests() {
        return messages(Arbitraries.of("POST /api HTTP/1.1", "GET /api?command=%7B%7D HTTP/1.1", "POST /api2 HTTP/1.0"),
                        false);
    }

    private static Arbitrary<List<Message>> messages(Arbitrary<String> startLines, boolean toCloseAllowed) {
        Arbitrary<List<String>> fields = Arbitraries.of("Content-Type: text/javascript", "X-Seen: 1", "Server: mist",
                                                        "Cache-Control: no-store").list().ofMaxSize(3);
        // mostly small, sometimes over the decoder's 8 KiB chunk (then it hands the body on in pieces)
        Arbitrary<byte[]> bodies = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(9, Arbitraries.bytes().array(byte[].class).ofMaxSize(300)),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(8000).ofMaxSize(10000)));
        Arbitrary<Integer> framings = Arbitraries.frequency(net.jqwik.api.Tuple.of(4, Message.LENGTH),
                net.jqwik.api.Tuple.of(4, Message.CHUNKED), net.jqwik.api.Tuple.of(2, Message.TO_CLOSE),
                net.jqwik.api.Tuple.of(1, Message.BAD_CHUNK));
        Arbitrary<Message> one = Combinators.combine(startLines, fields, bodies, framings,
                        Arbitraries.integers().between(1, 120), Arbitraries.of(true, false))
                .as((line, f, body, framing, chunk, trailer) -> {
                    boolean noBody = line.contains(" 204 ") || line.contains(" 100 ");
                    int framed = noBody || framing == Message.TO_CLOSE && !toCloseAllowed ? Message.LENGTH : framing;
                    return new Message(line, f, noBody ? new byte[0] : body, framed, chunk, trailer);
                });
        return one.list().ofMinSize(1).ofMaxSize(3).map(list -> {
            List<Message> fixed = new ArrayList<>(list);
            for (int i = 0; i < fixed.size() - 1; i++) { // a body to the close ends the stream
                Message m = fixed.get(i);
                if (m.framing() == Message.TO_CLOSE) {
                    fixed.set(i, new Message(m.startLine(), m.fields(), m.body(), Message.LENGTH, m.chunkSize(), m.trailer()));
                }
            }
            return fixed;
        });
    }

    @Property(tries = 400)
    void responsesAggregateAsNettysAggregatorDoes(@ForAll("responses") List<Message> stream, @ForAll("reads") Reads reads,
                                                  @ForAll @IntRange(min = 0, max = 12000) int maxBody) {
        assertSameAsNettys(HttpResponseDecoder::new, stream, reads, maxBody);
    }

    @Property(tries = 400)
    void requestsAggregateAsNettysAggregatorDoes(@ForAll("requests") List<Message> stream, @ForAll("reads") Reads reads,
                                                 @ForAll @IntRange(min = 0, max = 12000) int maxBody) {
        assertSameAsNettys(HttpRequestDecoder::new, stream, reads, maxBody);
    }

    private static void assertSameAsNettys(Supplier<ChannelHandler> decoder, List<Message> stream, Reads reads,
                                           int maxBody) {
        byte[] bytes = concat(stream);
        assertThat(run(decoder, new OneReadAggregator(maxBody), bytes, reads))
                .isEqualTo(run(decoder, nettysButNoContentLengthMadeUpForAnAnswerWithoutContent(maxBody), bytes, reads));
    }

    /**
     * How the bytes arrive: cut at {@code cuts} into pieces, {@code piecesPerRead} of them per read
     * (a channelRead each, then one channelReadComplete), on a channel that reads by itself or not.
     */
    record Reads(List<Integer> cuts, int piecesPerRead, boolean autoRead) {
    }

    @Provide
    Arbitrary<Reads> reads() {
        return Combinators.combine(Arbitraries.integers().between(1, 30000).list().ofMaxSize(8),
                                   Arbitraries.integers().between(1, 3), Arbitraries.of(true, false)).as(Reads::new);
    }

    @Example
    void aHeadAndBodyInOneReadKeepTheirBufferAndABodyInSeveralReadsIsGathered() {
        byte[] answer = "HTTP/1.1 200 OK\r\nContent-Type: text/javascript\r\nContent-Length: 5\r\n\r\nhello"
                .getBytes(StandardCharsets.US_ASCII);
        EmbeddedChannel oneRead = new EmbeddedChannel(new HttpResponseDecoder(), new OneReadAggregator(1024));
        oneRead.writeInbound(Unpooled.wrappedBuffer(answer));
        FullHttpResponse whole = oneRead.readInbound();
        assertThat(whole.content()).isNotInstanceOf(CompositeByteBuf.class);
        assertThat(whole.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(whole.headers().get("Content-Length")).isEqualTo("5");
        whole.release();
        assertThat(oneRead.finishAndReleaseAll()).isFalse();

        EmbeddedChannel twoReads = new EmbeddedChannel(new HttpResponseDecoder(), new OneReadAggregator(1024));
        twoReads.writeInbound(Unpooled.wrappedBuffer(answer, 0, answer.length - 2));
        assertThat((Object) twoReads.readInbound()).isNull();
        twoReads.writeInbound(Unpooled.wrappedBuffer(answer, answer.length - 2, 2));
        FullHttpResponse gathered = twoReads.readInbound();
        assertThat(gathered.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
        gathered.release();
        assertThat(twoReads.finishAndReleaseAll()).isFalse();
    }

    @Example
    void aRequestWhoseBodyCameWithItsHeadReachesTheProxyInOnePiece() {
        byte[] post = "POST /api2 HTTP/1.1\r\nHost: mist\r\nContent-Length: 9\r\n\r\ncommand=1".getBytes(StandardCharsets.US_ASCII);
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestDecoder(), new RequestAggregator(1024, "request"));
        channel.writeInbound(Unpooled.wrappedBuffer(post));
        FullHttpRequest request = channel.readInbound();
        assertThat(request.content()).isNotInstanceOf(CompositeByteBuf.class);
        assertThat(request.content().toString(StandardCharsets.US_ASCII)).isEqualTo("command=1");
        request.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    /**
     * Netty's aggregator, less the one thing OneReadAggregator does otherwise on purpose: no
     * {@code Content-Length} made up for a 1xx, 204, 205 or 304 answer that came without one.
     */
    private static HttpObjectAggregator nettysButNoContentLengthMadeUpForAnAnswerWithoutContent(int maxBody) {
        return new HttpObjectAggregator(maxBody) {
            @Override
            protected void finishAggregation(io.netty.handler.codec.http.FullHttpMessage aggregated) throws Exception {
                if (aggregated instanceof FullHttpResponse answer) {
                    int code = answer.status().code();
                    if (code < 200 || code == 204 || code == 205 || code == 304) {
                        return;
                    }
                }
                super.finishAggregation(aggregated);
            }
        };
    }

    /** Found by review: Mist's 304 without a Content-Length reached the caller with Content-Length: 0. */
    @Example
    void anAnswerWithoutContentGetsNoContentLengthMadeUpRegression() {
        for (String head : List.of("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
                                   "HTTP/1.1 204 No Content\r\n\r\n")) {
            EmbeddedChannel channel = new EmbeddedChannel(new HttpResponseDecoder(), new OneReadAggregator(1024));
            channel.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII));
            FullHttpResponse whole = channel.readInbound();
            assertThat(whole.headers().contains("Content-Length")).as(head).isFalse();
            whole.release();
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
        EmbeddedChannel channel = new EmbeddedChannel(new HttpResponseDecoder(), new OneReadAggregator(1024));
        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 304 Not Modified\r\nContent-Length: 48\r\n\r\n",
                                                   StandardCharsets.US_ASCII));
        FullHttpResponse kept = channel.readInbound();
        assertThat(kept.headers().get("Content-Length")).as("Mist's own, the 200's size, is kept").isEqualTo("48");
        kept.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    /**
     * Found by review: an answer to a HEAD without a Content-Length reached the caller with
     * Content-Length: 0, which says the resource is empty; RFC 9110 §9.3.2 lets the sender leave it out.
     */
    @Example
    void anAnswerToHeadGetsNoContentLengthMadeUpRegression() {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpClientCodec(), new OneReadAggregator(1024));
        channel.pipeline().get(OneReadAggregator.class).answersHead();
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/x"));
        channel.releaseOutbound();
        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n",
                                                   StandardCharsets.US_ASCII));
        FullHttpResponse whole = channel.readInbound();
        assertThat(whole.headers().contains("Content-Length")).isFalse();
        whole.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();

        EmbeddedChannel get = new EmbeddedChannel(new HttpResponseDecoder(), new OneReadAggregator(1024));
        get.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nab",
                                               StandardCharsets.US_ASCII));
        get.finish();
        FullHttpResponse read = get.readInbound();
        assertThat(read.headers().get("Content-Length")).as("not a HEAD's: the length of what came").isEqualTo("2");
        read.release();
        assertThat(get.finishAndReleaseAll()).isFalse();
    }

    private static byte[] concat(List<Message> stream) {
        ByteBuf all = Unpooled.buffer();
        stream.forEach(m -> all.writeBytes(m.bytes()));
        byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        return bytes;
    }

    /**
     * What comes out, inbound and outbound, the errors and the reads asked for, with the bytes fed as
     * {@code reads} says. Every piece fed in comes from a pooled direct buffer, which the leak detector
     * tracks, and must be released by the end.
     */
    private static List<String> run(Supplier<ChannelHandler> decoder, HttpObjectAggregator aggregator, byte[] bytes,
                                    Reads reads) {
        AtomicInteger readsAsked = new AtomicInteger();
        ChannelOutboundHandlerAdapter readCounter = new ChannelOutboundHandlerAdapter() {
            @Override
            public void read(ChannelHandlerContext ctx) {
                readsAsked.incrementAndGet();
                ctx.read();
            }
        };
        EmbeddedChannel channel = new EmbeddedChannel(readCounter, decoder.get(), aggregator);
        channel.config().setAutoRead(reads.autoRead());
        List<String> seen = new ArrayList<>();
        List<ByteBuf> fed = new ArrayList<>();
        List<Integer> at = new ArrayList<>(reads.cuts().stream().map(c -> c % (bytes.length + 1)).sorted().distinct()
                                                .toList());
        at.add(bytes.length);
        List<ByteBuf> read = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < at.size(); i++) {
            int to = at.get(i);
            if (to > from) {
                ByteBuf piece = PooledByteBufAllocator.DEFAULT.directBuffer(to - from).writeBytes(bytes, from, to - from);
                fed.add(piece);
                read.add(piece);
                from = to;
            }
            if (!read.isEmpty() && (read.size() == reads.piecesPerRead() || i == at.size() - 1)) {
                if (channel.isOpen()) {
                    try {
                        channel.writeInbound(read.toArray());
                    } catch (RuntimeException e) {
                        seen.add("error " + e.getClass().getSimpleName());
                    }
                } else {
                    read.forEach(ByteBuf::release); // nobody reads from a closed channel
                }
                read.clear();
                drain(channel, seen);
                seen.add("reads asked " + readsAsked.get());
            }
        }
        try {
            channel.finish();
        } catch (RuntimeException e) {
            seen.add("error at close " + e.getClass().getSimpleName());
        }
        drain(channel, seen);
        seen.add("open " + channel.isOpen());
        assertThat(fed).as("every piece fed in is released").allSatisfy(b -> assertThat(b.refCnt()).isZero());
        return seen;
    }

    private static void drain(EmbeddedChannel channel, List<String> seen) {
        for (Object in; (in = channel.readInbound()) != null; ) {
            seen.add("in " + describe(in));
            ReferenceCountUtil.release(in);
        }
        for (Object out; (out = channel.readOutbound()) != null; ) {
            seen.add("out " + describe(out));
            ReferenceCountUtil.release(out);
        }
    }

    private static String describe(Object msg) {
        if (msg instanceof FullHttpMessage full) {
            StringBuilder s = new StringBuilder(full instanceof FullHttpRequest r ? r.method() + " " + r.uri()
                    : String.valueOf(((FullHttpResponse) full).status()));
            s.append(' ').append(full.protocolVersion()).append(' ').append(full.decoderResult());
            for (Map.Entry<String, String> f : full.headers()) {
                s.append(" | ").append(f.getKey()).append(": ").append(f.getValue());
            }
            s.append(" || ").append(ByteBufUtil.hexDump(full.content()));
            for (Map.Entry<String, String> t : full.trailingHeaders()) {
                s.append(" | trailer ").append(t.getKey()).append(": ").append(t.getValue());
            }
            return s.toString();
        }
        return msg.getClass().getSimpleName() + " " + msg;
    }
}
