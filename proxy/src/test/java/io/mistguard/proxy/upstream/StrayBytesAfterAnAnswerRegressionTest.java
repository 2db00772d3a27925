package io.mistguard.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.net.OneReadAggregator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Regression (found by review with a hand-written upstream): an answer followed, in the same read, by
 * bytes nobody asked for left its connection fit for reuse, and the next request's answer was read after those bytes.
 * {@link UpstreamCodec#answerEndedCleanly} now says so while the answer is handed on.
 */
class StrayBytesAfterAnAnswerRegressionTest {

    private static final String ANSWER = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";

    @ParameterizedTest(name = "{0} {1} -> clean={3}")
    @CsvSource(delimiter = '|', textBlock = """
            GET  | answer alone                   | ANSWER                                                                   | true
            GET  | a stray head after it          | ANSWER + HTTP/1.1 200 OK\\r\\nContent-Length: 40\\r\\n\\r\\n              | false
            GET  | part of a status line after it | ANSWER + HTTP/1.1 2                                                      | false
            GET  | a second whole answer after it | ANSWER + ANSWER                                                          | false
            GET  | chunked, alone                 | HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n2\\r\\n{}\\r\\n0\\r\\n\\r\\n | true
            GET  | an interim answer before it    | HTTP/1.1 100 Continue\\r\\n\\r\\n + ANSWER                              | true
            HEAD | a HEAD's answer with its body  | ANSWER                                                                   | false
            """)
    void saysWhetherTheAnswerEndedCleanly(String method, String what, String bytes, boolean clean) {
        UpstreamCodec codec = new UpstreamCodec(new HttpDecoderConfig(), 1024);
        List<Boolean> seen = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(codec, new OneReadAggregator(1024),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof FullHttpResponse response && response.decoderResult().isSuccess()
                                && response.status().code() >= 200) {
                            seen.add(codec.answerEndedCleanly());
                        }
                        ReferenceCountUtil.release(msg);
                    }
                });
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), "/api",
                                                         Unpooled.EMPTY_BUFFER));
        String raw = bytes.replace("ANSWER", ANSWER).replace(" + ", "").replace("\\r\\n", "\r\n");
        channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));

        assertThat(seen).as(what).isNotEmpty();
        assertThat(seen.get(0)).as(what).isEqualTo(clean);
        try {
            channel.finishAndReleaseAll();
        } catch (PrematureChannelClosureException strayHeadCutShort) {
            // the aggregator's word on a stray head the close ended: what the connection's close is for
        }
    }
}
