package io.mistguard.proxy.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.NoDirectMemory;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Found by review: a 12 MiB GetState answer shared by coalesced callers (held on the heap) reached
 * two to four of six callers as a 200 head and then a close: the transport's copy of the body into
 * direct memory failed after the head was out, and the access log said 200 with every byte. The body
 * is now in direct memory before the head is sent, or the caller gets a 503 out-of-memory.
 */
class SendableAnswersTest {

    private static final ByteBufAllocator NO_DIRECT_MEMORY = NoDirectMemory.ALLOCATOR;

    private static Answer shared(String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
        response.headers().set("Content-Type", "application/json").setInt("Content-Length", body.length());
        return Answer.of(response, Decision.COALESCED).onRoute("get-state").withAttempts(1, 5_000_000);
    }

    @Test
    void aBodyOnTheHeapIsMovedToDirectMemoryWithItsHeadUnchanged() {
        Answer heap = shared("{\"streams\":[]}");
        FullHttpResponse before = heap.response();

        Answer sendable = SendableAnswers.of(ByteBufAllocator.DEFAULT, heap, true);

        try {
            assertThat(before.refCnt()).as("the heap body given back").isZero();
            assertThat(sendable.response().content().isDirect()).isTrue();
            assertThat(sendable.response().content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"streams\":[]}");
            assertThat(sendable.response().headers().get("Content-Type")).isEqualTo("application/json");
            assertThat(sendable.decision()).isEqualTo(Decision.COALESCED);
            assertThat(sendable.route()).isEqualTo("get-state");
            assertThat(sendable.attempts()).isEqualTo(1);
        } finally {
            sendable.response().release();
        }
    }

    @Test
    void noDirectMemoryForTheBodyIsA503OnTheSameRouteBeforeAnythingIsSentRegression() {
        Answer heap = shared("x".repeat(1000));
        FullHttpResponse before = heap.response();

        Answer sendable = SendableAnswers.of(NO_DIRECT_MEMORY, heap, true);

        try {
            assertThat(before.refCnt()).isZero();
            assertThat(sendable.response().status().code()).isEqualTo(503);
            assertThat(sendable.decision()).isEqualTo(Decision.OUT_OF_MEMORY);
            assertThat(sendable.route()).isEqualTo("get-state");
            assertThat(sendable.attempts()).isEqualTo(1);
            assertThat(sendable.response().content().toString(StandardCharsets.UTF_8))
                    .contains("no memory left to send this answer (1000 bytes)");
        } finally {
            sendable.response().release();
        }
    }

    @Test
    void mistguardsOwnAnswersAnswersToHeadAndDirectBodiesAreLeftAsTheyAre() {
        Answer own = ProxyResponses.rejection(ByteBufAllocator.DEFAULT, HttpResponseStatus.SERVICE_UNAVAILABLE,
                                              Decision.BREAKER_OPEN, null);
        assertThat(SendableAnswers.of(NO_DIRECT_MEMORY, own, true)).isSameAs(own);
        own.response().release();

        Answer toHead = shared("{}");
        assertThat(SendableAnswers.of(NO_DIRECT_MEMORY, toHead, false)).isSameAs(toHead);
        toHead.response().release();

        FullHttpResponse direct = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.directBuffer(4).writeInt(7));
        Answer fromMist = Answer.of(direct, Decision.PROXIED);
        assertThat(SendableAnswers.of(NO_DIRECT_MEMORY, fromMist, true)).isSameAs(fromMist);
        direct.release();
    }
}
