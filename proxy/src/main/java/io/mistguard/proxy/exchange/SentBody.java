package io.mistguard.proxy.exchange;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * How much of an answer's body left for its caller, told once the answer's write has settled, for
 * its access-log line. An answer handed to the socket is not an answer sent: a caller that leaves
 * mid-body (a reset, a close) fails the write, and the line must not say that every byte went out.
 *
 * <p>How it is told: the body's buffer is retained from just before the write until it settles.
 * Netty's HTTP encoder writes a body either copied into the buffer of the head (a small body: its
 * reader index then reaches its end at once) or as a buffer of its own, whose reader index the
 * transport moves past each byte the socket takes of a write it could not finish. So once a write
 * has failed: a reader index short of the end counts the bytes the socket took; at the end, the body
 * rode with the head, and none of it can be told sent (0). A body written whole was taken whole by
 * the socket (the kernel's buffers, not the caller: as nginx's {@code $body_bytes_sent}).
 *
 * <p>Not thread-safe: one watch at a time, on the channel's event loop; reusable once settled.
 */
public final class SentBody {

    private ByteBuf body;
    private int start;
    private int end;
    private int whole;

    /**
     * Watches {@code response}'s body; call right before it is written, then {@link #settle} once the
     * write is done. Retains the body, released by {@code settle}.
     *
     * @param headRequest the answer goes out without its body ({@link AnswerContent})
     */
    public void watch(FullHttpResponse response, boolean headRequest) {
        settle(true); // an earlier watch never settled: let it go
        whole = AnswerContent.bytesSent(response, headRequest);
        if (whole > 0) {
            ByteBuf content = response.content();
            start = content.readerIndex();
            end = content.writerIndex();
            body = content.retain();
        }
    }

    /**
     * The body bytes sent of the answer watched, and the end of the watch: all of them when
     * {@code written}, else those the socket is known to have taken (see the class comment); 0 when
     * nothing is watched.
     */
    public long settle(boolean written) {
        ByteBuf watched = body;
        int sent = whole;
        whole = 0;
        if (watched == null) {
            return written ? sent : 0;
        }
        body = null;
        int at = watched.readerIndex();
        watched.release();
        return written ? sent : at >= end ? 0 : Math.max(0, at - start);
    }
}
