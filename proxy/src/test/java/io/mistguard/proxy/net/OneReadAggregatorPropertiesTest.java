package io.mistguard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * HTTP/1.1 messages cut into reads anywhere: the same messages (start line, fields, body, trailers,
 * decoding result), the same answers written back, the same errors, for bodies framed by length,
 * by chunks (with trailers) or by the close, within the limit or over it. Only the body's buffer
 * differs: one piece, not a composite, when the head and the whole body came in one read.
 */
class OneReadAggregatorPropertiesTest {

    /** One message of a stream: its head lines (without the framing field) and its body. */
    record Message(String startLine, List<String> fields, byte[] body, int framing, int chunkSize, boolean trailer) {

        static final int LENGTH = 0;
        static final int CHUNKED = 1;
        static final int TO_CLOSE = 2; // responses only, and only last in a stream

        byte[] bytes() {
            StringBuilder head = new StringBuilder(startLine).append("\r\n");
            fields.forEach(f -> head.append(f).append("\r\n"));
            ByteBuf out = Unpooled.buffer();
            if (framing == LENGTH) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            } else if (framing == CHUNKED) {
                head.append("Transfer-Encoding: chunked\r\n");
            }
            out.writeCharSequence(head.append("\r\n"), StandardCharsets.US_ASCII);
            if (framing == CHUNKED) {
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
                                       "HTTP/1.0 200 OK"), true);
    }

    @Provide
    Arbitrary<List<Message>> requests() {
        return messages(Arbitraries.of("POST /api HTTP/1.1", "GET /api?command=%7B%7D HTTP/1.1", "POST /api2 HTTP/1.0"),
                        false);
    }

    private static Arbitrary<List<Message>> messages(Arbitrary<String> startLines, boolean toCloseAllowed) {
        Arbitrary<List<String>> fields = Arbitraries.of("Content-Type: text/javascript", "X-Seen: 1", "Server: mist",
                                                        "Cache-Control: no-store").list().ofMaxSize(3);
        Arbitrary<byte[]> bodies = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<Message> one = Combinators.combine(startLines, fields, bodies, Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(1, 120), Arbitraries.of(true, false))
                .as((line, f, body, framing, chunk, trailer) ->
                        new Message(line, f, body, framing == Message.TO_CLOSE && !toCloseAllowed ? Message.LENGTH : framing,
                                    chunk, trailer));
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
    void responsesAggregateAsNettysAggregatorDoes(@ForAll("responses") List<Message> stream,
                                                  @ForAll("cuts") List<Integer> cuts,
                                                  @ForAll @IntRange(min = 0, max = 400) int maxBody) {
        byte[] bytes = concat(stream);
        assertThat(run(HttpResponseDecoder::new, new OneReadAggregator(maxBody), bytes, cuts))
                .isEqualTo(run(HttpResponseDecoder::new, new HttpObjectAggregator(maxBody), bytes, cuts));
    }

    @Property(tries = 400)
    void requestsAggregateAsNettysAggregatorDoes(@ForAll("requests") List<Message> stream,
                                                 @ForAll("cuts") List<Integer> cuts,
                                                 @ForAll @IntRange(min = 0, max = 400) int maxBody) {
        byte[] bytes = concat(stream);
        assertThat(run(HttpRequestDecoder::new, new OneReadAggregator(maxBody), bytes, cuts))
                .isEqualTo(run(HttpRequestDecoder::new, new HttpObjectAggregator(maxBody), bytes, cuts));
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(1, 2000).list().ofMaxSize(8);
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

    private static byte[] concat(List<Message> stream) {
        ByteBuf all = Unpooled.buffer();
        stream.forEach(m -> all.writeBytes(m.bytes()));
        byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        return bytes;
    }

    /** What comes out, inbound and outbound, and the errors, with the bytes fed in reads cut at {@code cuts}. */
    private static List<String> run(Supplier<ChannelHandler> decoder, HttpObjectAggregator aggregator, byte[] bytes,
                                    List<Integer> cuts) {
        EmbeddedChannel channel = new EmbeddedChannel(decoder.get(), aggregator);
        List<String> seen = new ArrayList<>();
        List<Integer> at = new ArrayList<>(cuts.stream().map(c -> c % (bytes.length + 1)).sorted().distinct().toList());
        at.add(bytes.length);
        int from = 0;
        for (int to : at) {
            if (to <= from || !channel.isOpen()) {
                continue;
            }
            try {
                channel.writeInbound(Unpooled.wrappedBuffer(bytes, from, to - from));
            } catch (RuntimeException e) {
                seen.add("error " + e.getClass().getSimpleName());
            }
            from = to;
            drain(channel, seen);
        }
        try {
            channel.finish();
        } catch (RuntimeException e) {
            seen.add("error at close " + e.getClass().getSimpleName());
        }
        drain(channel, seen);
        seen.add("open " + channel.isOpen());
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
