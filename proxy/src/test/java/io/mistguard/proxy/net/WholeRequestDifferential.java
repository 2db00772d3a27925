package io.mistguard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * Runs bytes, cut into reads at given places, through {@link StrictRequestDecoder} with and without
 * its {@link WholeRequestParser} and the request aggregator, and records what comes out as text:
 * requests (result, method, target, version, fields in order, body), events, the methods queued for
 * the response encoder. Shared by the differential tests of the one-pass parser.
 */
final class WholeRequestDifferential {

    private WholeRequestDifferential() {
    }

    static List<String> run(boolean wholeRequests, int maxInitialLine, int maxHeader, byte[] bytes, int... cuts) {
        List<String> events = new ArrayList<>();
        Queue<HttpMethod> methods = new ArrayDeque<>();
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLine)
                .setMaxHeaderSize(maxHeader)
                .setMaxChunkSize(ContentPieces.MAX_BYTES)
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true);
        EmbeddedChannel channel = new EmbeddedChannel(new StrictRequestDecoder(config, methods, wholeRequests),
                new RequestAggregator(64, "request"), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof FullHttpRequest request) {
                            events.add(describe(request) + " | queued " + methods);
                        } else {
                            events.add(msg.toString());
                        }
                        io.netty.util.ReferenceCountUtil.release(msg);
                    }

                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        events.add(String.valueOf(evt));
                    }
                });
        List<ByteBuf> pieces = new ArrayList<>();
        int from = 0;
        int[] ends = new int[cuts.length + 1];
        for (int i = 0; i < cuts.length; i++) {
            ends[i] = Math.max(0, Math.min(cuts[i], bytes.length));
        }
        ends[cuts.length] = bytes.length;
        java.util.Arrays.sort(ends);
        for (int end : ends) {
            if (end > from && channel.isOpen()) {
                ByteBuf piece = Unpooled.copiedBuffer(bytes, from, end - from);
                pieces.add(piece);
                try {
                    channel.writeInbound(piece);
                } catch (Exception refused) {
                    events.add("threw " + refused);
                }
                events.add("read " + (end - from));
            }
            from = Math.max(from, end);
        }
        try {
            channel.finishAndReleaseAll();
        } catch (Exception atTheClose) {
            events.add("at the close: " + atTheClose);
        }
        events.add("methods " + methods);
        pieces.forEach(piece -> assertThat(piece.refCnt()).as("released").isZero());
        return events;
    }

    static String describe(FullHttpRequest request) {
        StringBuilder text = new StringBuilder();
        text.append(request.decoderResult().isSuccess() ? "ok" : "failed: " + request.decoderResult().cause());
        text.append(' ').append(request.method()).append(' ').append(request.uri()).append(' ')
            .append(request.protocolVersion()).append(' ');
        List<String> fields = new ArrayList<>();
        for (Map.Entry<String, String> field : request.headers()) {
            fields.add(field.getKey() + "=" + field.getValue());
        }
        text.append(fields).append(" body[").append(request.content().toString(StandardCharsets.ISO_8859_1))
            .append(']');
        return text.append(request.trailingHeaders().isEmpty() ? "" : " trailers " + request.trailingHeaders().names())
                   .toString();
    }
}
