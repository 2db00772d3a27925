package io.mistguard.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 client codec of a connection to the upstream: Netty's {@code HttpClientCodec} as
 * mistguard used it (a final answer to a {@code HEAD} ends at its head; an interim 1xx answer pairs
 * with no request), which besides tells {@link UpstreamHandler} whether any byte was read past an
 * answer ({@link #answerEndedCleanly}). What a server sends after an answer — a body after a
 * {@code 204} that announced none, a second answer nobody asked for, or the start of one — would
 * otherwise wait in this decoder and be read as the start of the next request's answer (found by
 * review: a stray head on a pooled connection reached the next caller as its answer's head, with the
 * first bytes of its own answer as the body). Netty's decoder itself refuses the answers whose
 * framing is in doubt ({@code Transfer-Encoding} beside {@code Content-Length}, or on HTTP/1.0).
 *
 * <p>One instance per upstream channel; used only from its event loop.
 */
final class UpstreamCodec extends CombinedChannelDuplexHandler<UpstreamCodec.AnswerDecoder, UpstreamCodec.RequestEncoder> {

    /** The methods of the requests written and not yet answered, oldest first (as HttpClientCodec keeps them). */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

    /**
     * @param config the decoder's limits and fields factory
     * @param maxAnswerBytes the aggregator's limit on an answer's body, in bytes, ≥ 0: larger answers
     *        are left to the decoder and aggregator, which refuse them
     */
    UpstreamCodec(HttpDecoderConfig config, int maxAnswerBytes) {
        init(new AnswerDecoder(config, new WholeAnswerParser(config.getHeadersFactory(),
                Math.min(maxAnswerBytes, config.getMaxChunkSize()))), new RequestEncoder());
    }

    /**
     * Whether the answer just decoded ended where the next one may begin: no byte was read past it.
     * Only meaningful while that answer is being handed on (from within the decoder's read), which is
     * when {@link UpstreamHandler} asks.
     */
    boolean answerEndedCleanly() {
        return !inboundHandler().readPastAnswer();
    }

    /** Remembers each request's method, so that the answer to a {@code HEAD} is read as its head alone. */
    final class RequestEncoder extends HttpRequestEncoder {
        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest request) {
                methods.add(request.method());
            }
            super.encode(ctx, msg, out);
        }
    }

    /**
     * Netty's response decoder, told each answer's request method, with a view of the bytes it holds.
     * An answer whole in the bytes read and plainly framed is read by {@link WholeAnswerParser} instead,
     * as one {@link FullHttpResponse} that the aggregator passes on as it is; only between answers,
     * when the base decoder holds no part of one, and never for a {@code HEAD}'s answer.
     */
    final class AnswerDecoder extends HttpResponseDecoder {

        private final WholeAnswerParser wholeAnswers;
        /** The base decoder holds no part of an answer: its last output ended one, cleanly. */
        private boolean betweenAnswers = true;
        /** A {@code 101} was read: what follows may be another protocol, for the base decoder alone. */
        private boolean switched;

        AnswerDecoder(HttpDecoderConfig config, WholeAnswerParser wholeAnswers) {
            super(config);
            this.wholeAnswers = wholeAnswers;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (betweenAnswers && !HttpMethod.HEAD.equals(methods.peek())) {
                FullHttpResponse whole = wholeAnswers.parse(in);
                if (whole != null) {
                    methods.poll(); // a final answer: it takes its request's method, as isContentAlwaysEmpty does
                    out.add(whole);
                    return;
                }
            }
            int before = out.size();
            super.decode(ctx, in, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpResponse head
                        && head.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                    switched = true; // the base decoder may pass all that follows on as raw bytes
                }
            }
            // Between answers again only once the base decoder has ended one cleanly: a head in parts,
            // a body still coming, or a refused answer (after which it reads nothing more) keeps it.
            betweenAnswers = !switched && out.size() > before && out.get(out.size() - 1) instanceof LastHttpContent last
                             && last.decoderResult().isSuccess();
        }

        /** Bytes read and not yet decoded: past the message last handed on, when asked while it is. */
        boolean readPastAnswer() {
            return actualReadableBytes() > 0;
        }

        /** Called once per head: a final answer takes its request's method off the queue. */
        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            if (((HttpResponse) msg).status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg); // an interim answer pairs with no request
            }
            return HttpMethod.HEAD.equals(methods.poll()) || super.isContentAlwaysEmpty(msg);
        }
    }
}
