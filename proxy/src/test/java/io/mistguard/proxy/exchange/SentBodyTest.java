package io.mistguard.proxy.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * {@link SentBody} against Netty's own HTTP encoder and a socket that takes some bytes and then
 * resets (as the transport does: a buffer it wrote whole is dropped, one it wrote in part has its
 * reader index moved past what it took, then every write still queued fails).
 */
class SentBodyTest {

    private static final int LARGE = 64 * 1024;

    @Test
    void aBodyWrittenWholeCountsWhole() {
        assertThat(sent(answer(LARGE), false, Integer.MAX_VALUE)).isEqualTo(LARGE);
        assertThat(sent(answer(10), false, Integer.MAX_VALUE)).isEqualTo(10);
    }

    @Test
    void aLargeBodyCutShortCountsWhatTheSocketTookOfIt() {
        int head = headBytes(answer(LARGE));
        assertThat(sent(answer(LARGE), false, head + 1000)).isEqualTo(1000);
        assertThat(sent(answer(LARGE), false, head)).isZero();
        assertThat(sent(answer(LARGE), false, 5)).as("the head cut short").isZero();
    }

    @Test
    void aSmallBodyRidingWithItsHeadCountsNoneWhenCutShort() {
        int head = headBytes(answer(10));
        assertThat(sent(answer(10), false, head + 5)).as("which of its bytes left cannot be told").isZero();
    }

    @Test
    void anAnswerToHeadHasNoBodyToCount() {
        assertThat(sent(answer(LARGE), true, Integer.MAX_VALUE)).isZero();
    }

    /** Writes {@code answer} through the encoder to a socket that takes {@code budget} bytes, then resets. */
    private static long sent(FullHttpResponse answer, boolean headRequest, int budget) {
        EmbeddedChannel channel = new EmbeddedChannel(new Socket(budget), new HttpResponseEncoder());
        SentBody body = new SentBody();
        body.watch(answer, headRequest);
        ChannelFuture written = channel.writeAndFlush(answer);
        long sent = body.settle(written.isSuccess());
        channel.finishAndReleaseAll();
        return sent;
    }

    private static int headBytes(FullHttpResponse answer) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpResponseEncoder());
        int body = answer.content().readableBytes();
        channel.writeOutbound(answer);
        int total = 0;
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            total += out.readableBytes();
            out.release();
        }
        channel.finishAndReleaseAll();
        return total - body;
    }

    private static FullHttpResponse answer(int bodyBytes) {
        FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.directBuffer(bodyBytes).writeZero(bodyBytes));
        answer.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bodyBytes);
        return answer;
    }

    /** Takes up to a budget of bytes, as a socket's buffer would, then fails every write (a reset). */
    private static final class Socket extends ChannelOutboundHandlerAdapter {
        private int budget;

        Socket(int budget) {
            this.budget = budget;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ByteBuf bytes = (ByteBuf) msg;
            int readable = bytes.readableBytes();
            if (readable <= budget) {
                budget -= readable;
                bytes.release(); // written whole: dropped as it is, its reader index unmoved
                promise.setSuccess();
                return;
            }
            bytes.readerIndex(bytes.readerIndex() + budget); // written in part
            budget = 0;
            ReferenceCountUtil.release(bytes);
            promise.setFailure(new IOException("Connection reset by peer"));
        }
    }
}
