package io.mistguard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link OneReadAggregator} packs the small pieces of a body in many pieces. Regression: Netty's
 * aggregator kept each piece as a component of one composite buffer, which copied them all into one
 * new buffer at 1 024 components and again every 1 024 after, so a 16 MiB answer in 1 KiB chunks
 * needed twice its size in direct memory at its end and ran short under the image's 32 MiB.
 */
class OneReadAggregatorPackingTest {

    private static final int CHUNK = 1024;
    private static final int BODY = 4 << 20; // 4 096 chunks: four times what the composite holds uncopied
    private static final int READ = 60_000;

    @Test
    void aBodyInManySmallChunksIsNeverCopiedWholeAsItGrowsRegression() {
        byte[] body = pattern(BODY);
        RecordingAllocator packing = new RecordingAllocator();
        FullHttpResponse answer = aggregate(new OneReadAggregator(BODY), packing, chunkedAnswer(body, CHUNK));
        assertThat(ByteBufUtil.getBytes(answer.content())).as("the body, as sent").isEqualTo(body);
        assertThat(answer.content()).isInstanceOf(CompositeByteBuf.class);
        assertThat(((CompositeByteBuf) answer.content()).numComponents())
                .as("few enough pieces to be written without a copy (IOV_MAX)").isLessThanOrEqualTo(1024);
        assertThat(packing.largest).as("no buffer the size of the body").isLessThanOrEqualTo(OneReadAggregator.PACK_BYTES);
        answer.release();
        assertThat(packing.allReleased()).isTrue();

        RecordingAllocator nettys = new RecordingAllocator(); // what the fault was: this test tells the two apart
        FullHttpResponse copied = aggregate(new HttpObjectAggregator(BODY), nettys, chunkedAnswer(body, CHUNK));
        assertThat(nettys.largest).isGreaterThanOrEqualTo(1 << 20);
        copied.release();
    }

    @Test
    void aRequestBodyInManySmallChunksIsPackedTooRegression() {
        byte[] body = pattern(BODY);
        RecordingAllocator allocator = new RecordingAllocator();
        EmbeddedChannel channel = channel(new HttpRequestDecoder(new HttpDecoderConfig().setMaxChunkSize(ContentPieces.MAX_BYTES)), new RequestAggregator(BODY, "request"), allocator);
        feed(channel, chunked("POST /api2 HTTP/1.1\r\nHost: mist\r\n", body, CHUNK));
        FullHttpRequest request = channel.readInbound();
        assertThat(request.decoderResult().isSuccess()).isTrue();
        assertThat(ByteBufUtil.getBytes(request.content())).isEqualTo(body);
        assertThat(allocator.largest).isLessThanOrEqualTo(OneReadAggregator.PACK_BYTES);
        request.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
        assertThat(allocator.allReleased()).isTrue();
    }

    @Test
    void aBodyOfAFewPiecesKeepsThemAsTheyCame() {
        byte[] body = pattern(OneReadAggregator.PIECES_BEFORE_PACKING * CHUNK);
        RecordingAllocator allocator = new RecordingAllocator();
        EmbeddedChannel channel = channel(responseDecoder(), new OneReadAggregator(BODY), allocator);
        channel.writeInbound(Unpooled.wrappedBuffer(chunkedAnswer(body, CHUNK))); // one read: one piece a chunk
        FullHttpResponse answer = channel.readInbound();
        assertThat(channel.finishAndReleaseAll()).isFalse();
        assertThat(ByteBufUtil.getBytes(answer.content())).isEqualTo(body);
        assertThat(((CompositeByteBuf) answer.content()).numComponents())
                .as("one component per piece: nothing copied").isEqualTo(OneReadAggregator.PIECES_BEFORE_PACKING);
        assertThat(allocator.packs()).as("no pack").isZero();
        answer.release();
    }

    /**
     * Found by two reviews. Packing only pieces under half a pack handed each 1-byte pack on alone
     * before the next 32 KiB piece, so a 16 MiB answer in chunks of 1 byte and 32 KiB in turn reached
     * the composite's 1 024 components and was copied whole (503 out-of-memory under the image's 32
     * MiB). Handing a pack on when the next piece did not fit left packs half empty: 16 MiB in
     * pieces of 32 769 bytes took 32 MiB of packs. Now every pack but the last is full, whatever the
     * mix of piece sizes: the body's own size in packs, and n / 64 KiB + 65 components at most.
     */
    @ParameterizedTest(name = "chunks of {0} bytes, in turn")
    @ValueSource(strings = {"1,32768", "2,65535", "1,65536", "32769", "40000", "65535", "65537", "1,1,1,70000",
                            "32767,1,32768,5,40000,3", "1048576"})
    void anyMixOfPieceSizesFillsItsPacksAndStaysUnderTheComponentsThatForceACopyRegression(String sizes) {
        int[] chunks = java.util.Arrays.stream(sizes.split(",")).mapToInt(Integer::parseInt).toArray();
        int length = 16 << 20;
        byte[] body = pattern(length);
        RecordingAllocator allocator = new RecordingAllocator();
        EmbeddedChannel channel = channel(responseDecoder(), new OneReadAggregator(length), allocator);
        byte[] bytes = chunked("HTTP/1.1 200 OK\r\n", body, chunks);
        for (int at = 0; at < bytes.length; at += READ) { // in reads, as a socket hands them on
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, at, Math.min(READ, bytes.length - at)));
        }
        FullHttpResponse answer = channel.readInbound();
        assertThat(channel.finishAndReleaseAll()).isFalse();
        assertThat(ByteBufUtil.getBytes(answer.content())).isEqualTo(body);
        CompositeByteBuf content = (CompositeByteBuf) answer.content();
        int bound = length / OneReadAggregator.PACK_BYTES + OneReadAggregator.PIECES_BEFORE_PACKING + 1;
        assertThat(content.numComponents()).isLessThanOrEqualTo(bound).isLessThan(1024);
        for (int c = OneReadAggregator.PIECES_BEFORE_PACKING; c < content.numComponents() - 1; c++) {
            assertThat(content.internalComponent(c).readableBytes()).as("component %d: a full pack", c)
                    .isEqualTo(OneReadAggregator.PACK_BYTES);
        }
        assertThat(allocator.packs() * OneReadAggregator.PACK_BYTES).as("packs hold the body, not twice it")
                .isLessThanOrEqualTo((long) length + OneReadAggregator.PACK_BYTES);
        assertThat(allocator.largest).as("no buffer the size of the body").isLessThanOrEqualTo(OneReadAggregator.PACK_BYTES);
        answer.release();
        assertThat(allocator.allReleased()).isTrue();
    }

    /**
     * A body framed by its length, read in small reads (a slow sender's segments): a piece per read,
     * packed as small chunks are.
     */
    @Test
    void aBodyInManySmallReadsIsPackedRegression() {
        byte[] body = pattern(BODY);
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: " + BODY + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        RecordingAllocator allocator = new RecordingAllocator();
        EmbeddedChannel channel = channel(responseDecoder(), new OneReadAggregator(BODY), allocator);
        channel.writeInbound(Unpooled.wrappedBuffer(head));
        for (int at = 0; at < BODY; at += 1448) { // one TCP segment's payload per read
            channel.writeInbound(Unpooled.wrappedBuffer(body, at, Math.min(1448, BODY - at)));
        }
        FullHttpResponse answer = channel.readInbound();
        assertThat(channel.finishAndReleaseAll()).isFalse();
        assertThat(ByteBufUtil.getBytes(answer.content())).isEqualTo(body);
        assertThat(allocator.largest).isLessThanOrEqualTo(OneReadAggregator.PACK_BYTES);
        answer.release();
        assertThat(allocator.allReleased()).isTrue();
    }

    @Test
    void theLimitHoldsToTheByteForAPackedBody() {
        byte[] body = pattern(BODY);
        FullHttpResponse atTheLimit = aggregate(new OneReadAggregator(BODY), new RecordingAllocator(),
                chunkedAnswer(body, CHUNK));
        assertThat(atTheLimit.content().readableBytes()).isEqualTo(BODY);
        atTheLimit.release();

        RecordingAllocator allocator = new RecordingAllocator();
        EmbeddedChannel channel = channel(responseDecoder(), new OneReadAggregator(BODY - 1), allocator);
        assertThatThrownBy(() -> feed(channel, chunkedAnswer(body, CHUNK))).isInstanceOf(TooLongFrameException.class);
        channel.finishAndReleaseAll();
        assertThat(allocator.allReleased()).as("the pack too").isTrue();
    }

    @Test
    void aPackIsReleasedWhenTheConnectionClosesMidBody() {
        byte[] whole = chunkedAnswer(pattern(BODY), CHUNK);
        RecordingAllocator allocator = new RecordingAllocator();
        EmbeddedChannel channel = channel(responseDecoder(), new OneReadAggregator(BODY), allocator);
        feed(channel, Arrays.copyOf(whole, whole.length / 2));
        assertThat(allocator.packs()).as("packing had begun").isPositive();
        Throwable closing = catchThrowable(() -> {
            channel.close();
            channel.finishAndReleaseAll();
        });
        assertThat(closing).isInstanceOf(PrematureChannelClosureException.class);
        assertThat(allocator.allReleased()).isTrue();
    }

    private static FullHttpResponse aggregate(ChannelHandler aggregator, RecordingAllocator allocator, byte[] bytes) {
        EmbeddedChannel channel = channel(responseDecoder(), aggregator, allocator);
        feed(channel, bytes);
        FullHttpResponse answer = channel.readInbound();
        assertThat(answer).isNotNull();
        assertThat(channel.finishAndReleaseAll()).isFalse();
        return answer;
    }

    /** A decoder as mistguard's: pieces of up to {@link ContentPieces#MAX_BYTES}. */
    private static ChannelHandler responseDecoder() {
        return new HttpResponseDecoder(new HttpDecoderConfig().setMaxChunkSize(ContentPieces.MAX_BYTES));
    }

    private static EmbeddedChannel channel(ChannelHandler decoder, ChannelHandler aggregator, ByteBufAllocator allocator) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(allocator);
        channel.pipeline().addLast(decoder, aggregator);
        return channel;
    }

    /** Writes {@code bytes} in reads of 60 000 bytes, as a socket would hand them on. */
    private static void feed(EmbeddedChannel channel, byte[] bytes) {
        for (int at = 0; at < bytes.length; at += READ) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, at, Math.min(READ, bytes.length - at)));
        }
    }

    private static byte[] chunkedAnswer(byte[] body, int chunk) {
        return chunked("HTTP/1.1 200 OK\r\nContent-Type: text/javascript\r\n", body, chunk);
    }

    private static byte[] chunked(String head, byte[] body, int... chunks) {
        ByteBuf out = Unpooled.buffer();
        out.writeCharSequence(head + "Transfer-Encoding: chunked\r\n\r\n", StandardCharsets.US_ASCII);
        for (int at = 0, i = 0; at < body.length; at += chunks[i++ % chunks.length]) {
            int n = Math.min(chunks[i % chunks.length], body.length - at);
            out.writeCharSequence(Integer.toHexString(n) + "\r\n", StandardCharsets.US_ASCII);
            out.writeBytes(body, at, n).writeCharSequence("\r\n", StandardCharsets.US_ASCII);
        }
        out.writeCharSequence("0\r\n\r\n", StandardCharsets.US_ASCII);
        byte[] bytes = ByteBufUtil.getBytes(out);
        out.release();
        return bytes;
    }

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + (i >>> 10));
        }
        return bytes;
    }

    /** Unpooled buffers, each remembered: the largest asked for, how many of a size, which are still held. */
    private static final class RecordingAllocator extends AbstractByteBufAllocator {

        private final List<ByteBuf> made = new ArrayList<>();
        private int largest;

        RecordingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return record(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return record(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        private ByteBuf record(ByteBuf buffer) {
            made.add(buffer);
            largest = Math.max(largest, buffer.capacity());
            return buffer;
        }

        /** Packs made: buffers that may grow to {@link OneReadAggregator#PACK_BYTES} and no more. */
        long packs() {
            return made.stream().filter(b -> b.maxCapacity() == OneReadAggregator.PACK_BYTES).count();
        }

        boolean allReleased() {
            return made.stream().allMatch(b -> b.refCnt() == 0);
        }
    }
}
