package io.mistguard.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.ProxyResponses;
import io.mistguard.proxy.net.OneReadAggregator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Found by review: when an answer from Mist ran direct memory out, the caller's 503 could not get a
 * buffer either, since the answer's pieces were still held; building it threw in the policy's
 * listener, and the caller waited for the route's whole budget (10 s) for a 504. Now the pieces are
 * given back before the call fails, and mistguard's own answers need no direct memory at all.
 */
class OutOfMemoryAnswerTest {

    @Test
    void theAnswersPiecesAreGivenBackBeforeTheCallFailsRegression() {
        EmbeddedChannel channel = new EmbeddedChannel();
        UpstreamPool pool = new UpstreamPool(null, "127.0.0.1", 1, 4);
        UpstreamHandler handler = new UpstreamHandler(pool, 1_000_000_000L);
        channel.pipeline().addLast("aggregator", new OneReadAggregator(64 << 20)).addLast("dispatch", handler);
        UpstreamCall call = new UpstreamCall(pool, null, channel.eventLoop(),
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/big", Unpooled.buffer(0)));
        handler.bind(call);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 3 << 20);
        ByteBuf piece = Unpooled.directBuffer(1 << 20).writeZero(1 << 20);
        channel.writeInbound(head, new DefaultHttpContent(piece.retain()));
        AtomicBoolean heldWhenFailed = new AtomicBoolean(true);
        call.result().addListener((Future<io.netty.handler.codec.http.FullHttpResponse> f) -> heldWhenFailed.set(piece.refCnt() > 1
                || channel.pipeline().get(OneReadAggregator.class) != null));

        channel.pipeline().fireExceptionCaught(new OutOfMemoryError("Cannot reserve 65536 bytes of direct buffer memory"));

        assertThat(call.result().cause()).isInstanceOf(UpstreamException.class);
        assertThat(((UpstreamException) call.result().cause()).failure()).isEqualTo(UpstreamFailure.OUT_OF_MEMORY);
        assertThat(heldWhenFailed).as("the answer's pieces were held when the caller was to be answered").isFalse();
        piece.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void mistguardsOwnAnswersNeedNoDirectMemoryRegression() {
        var answer = ProxyResponses.rejection(ByteBufAllocator.DEFAULT, HttpResponseStatus.SERVICE_UNAVAILABLE,
                Decision.OUT_OF_MEMORY, "no memory");
        try {
            assertThat(answer.response().content().isDirect()).isFalse();
        } finally {
            answer.response().release();
        }
    }
}
