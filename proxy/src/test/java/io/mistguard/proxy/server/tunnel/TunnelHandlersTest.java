package io.mistguard.proxy.server.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link EarlyDataHold} and {@link Relay} on {@link EmbeddedChannel}s: who owns each message, and
 * when a side closes.
 */
class TunnelHandlersTest {

    @Test
    void holdKeepsEarlyBytesAndHandsThemOnInOrderWhenRemoved() {
        EmbeddedChannel client = new EmbeddedChannel();
        client.pipeline().addLast(TunnelPipelines.HOLD, new EarlyDataHold());

        client.writeInbound(ascii("one"), ascii("two"));
        assertThat((Object) client.readInbound()).isNull(); // kept, not passed on
        client.pipeline().remove(TunnelPipelines.HOLD);

        assertThat(text(client.readInbound())).isEqualTo("one");
        assertThat(text(client.readInbound())).isEqualTo("two");
        assertThat(client.finishAndReleaseAll()).isFalse();
    }

    @Test
    void holdReleasesEarlyBytesWhenTheCallerLeaves() {
        EmbeddedChannel client = new EmbeddedChannel(new EarlyDataHold());
        ByteBuf early = ascii("early");
        client.writeInbound(early);

        client.close();

        assertThat(early.refCnt()).isZero();
        assertThat(client.finishAndReleaseAll()).isFalse();
    }

    @Test
    void holdClosesTheConnectionOnARequestPipelinedBehindTheUpgrade() {
        EmbeddedChannel client = new EmbeddedChannel(new EarlyDataHold());
        FullHttpRequest pipelined = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", ascii("x"));

        client.writeInbound(pipelined);

        assertThat(pipelined.refCnt()).isZero();
        assertThat(client.isOpen()).isFalse();
        assertThat(client.finishAndReleaseAll()).isFalse();
    }

    @Test
    void relayCopiesBytesToThePeerAndClosesItWhenItsOwnSideCloses() {
        EmbeddedChannel peer = new EmbeddedChannel();
        EmbeddedChannel side = new EmbeddedChannel(new Relay(peer));

        side.writeInbound(ascii("frame"));
        assertThat(text(peer.readOutbound())).isEqualTo("frame");
        assertThat(peer.isOpen()).isTrue();

        side.close();
        assertThat(peer.isOpen()).isFalse();
        assertThat(text(peer.readOutbound())).isEmpty(); // the flush that closed it
        assertThat(peer.finishAndReleaseAll()).isFalse();
        assertThat(side.finishAndReleaseAll()).isFalse();
    }

    @Test
    void relayClosesOnIdlenessAndOnAnythingButBytes() {
        EmbeddedChannel idlePeer = new EmbeddedChannel();
        EmbeddedChannel idle = new EmbeddedChannel(new Relay(idlePeer));
        idle.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(idle.isOpen()).isFalse();
        assertThat(idlePeer.isOpen()).isFalse();
        assertThat(text(idlePeer.readOutbound())).isEmpty();

        EmbeddedChannel strayPeer = new EmbeddedChannel();
        EmbeddedChannel stray = new EmbeddedChannel(new Relay(strayPeer));
        FullHttpRequest message = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", ascii("x"));
        stray.writeInbound(message);
        assertThat(message.refCnt()).isZero();
        assertThat(stray.isOpen()).isFalse();
        assertThat(strayPeer.isOpen()).isFalse();
        assertThat(text(strayPeer.readOutbound())).isEmpty();

        for (EmbeddedChannel ch : new EmbeddedChannel[] {idle, idlePeer, stray, strayPeer}) {
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    private static String text(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.US_ASCII);
        } finally {
            buf.release();
        }
    }
}
