package io.mistguard.proxy.exchange;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Makes sure an answer's body can be written whole before its head is: a body held on the heap (an
 * answer shared by coalesced callers, a stored or cached reply, a trigger's last-known answer) is
 * copied into direct memory here. Every transport copies a heap body into direct memory when it
 * writes it anyway; done there, after the head had gone out, a shortage of direct memory cut the
 * answer short under its 200 (found by review: 12 MiB GetState answers shared by six callers, two to
 * four of them got the head and then a close, and the access log said 200 with every byte). Done
 * here, a shortage turns the answer into a 503 {@code out-of-memory} on the same route before
 * anything is sent, and the copy costs nothing the transport would not have spent.
 *
 * <p>mistguard's own answers (a few hundred bytes on the heap, so that they need no direct memory to
 * be made) and answers whose body is not sent (to a {@code HEAD}) are left as they are. Stateless;
 * call on the event loop that writes the answer.
 */
public final class SendableAnswers {

    private SendableAnswers() {
    }

    /**
     * {@code answer}, its body in direct memory; or, when there is not enough left, the 503
     * {@code out-of-memory} answer in its place ({@code answer}'s response is then released).
     *
     * @param bodySent whether the body will be sent (not for an answer to {@code HEAD})
     */
    public static Answer of(ByteBufAllocator alloc, Answer answer, boolean bodySent) {
        FullHttpResponse response = answer.response();
        ByteBuf body = response.content();
        if (!bodySent || answer.decision().rejected() || body.isDirect() || !body.isReadable()) {
            return answer;
        }
        ByteBuf direct;
        try {
            direct = alloc.directBuffer(body.readableBytes());
        } catch (OutOfMemoryError shortage) {
            Answer instead = ProxyResponses.rejection(alloc, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    Decision.OUT_OF_MEMORY, "mistguard has no memory left to send this answer ("
                    + body.readableBytes() + " bytes): " + shortage.getMessage())
                    .onRoute(answer.route()).withAttempts(answer.attempts(), answer.upstreamNanos());
            response.release();
            return instead;
        }
        direct.writeBytes(body, body.readerIndex(), body.readableBytes());
        FullHttpResponse moved = response.replace(direct);
        response.release();
        return new Answer(moved, answer.decision(), answer.staleCause(), answer.route(), answer.attempts(),
                          answer.upstreamNanos());
    }
}
