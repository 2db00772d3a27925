package io.mistguard.proxy.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's {@link HttpObjectAggregator}, without its {@code CompositeByteBuf} for a message whose
 * head and whole body come in the same read: the usual case for a Mist answer and a catalyst
 * request. The base class gathers every body into a new composite buffer (three objects and a
 * component array, ~200 bytes, and an indirection on every later read of the content) even when
 * the body is one piece; here that piece becomes the message's content as it is.
 *
 * <p>How: the head of a message that is not yet whole is held until the next message. If that is
 * its last content, decoded cleanly and within {@code maxContentLength}, the message is built with
 * the base class's own {@code beginAggregation}, {@code aggregate} and {@code finishAggregation},
 * so it is the same {@code FullHttpMessage} the base class would make (chunked coding removed,
 * trailers merged, {@code Content-Length} set when absent). Anything else (a body in several
 * pieces, a decoding failure, a body over the limit, a read that ends after the head) goes through
 * the base class unchanged, the held head first: the head is never held past the end of a read.
 *
 * <p>A body in many pieces (a chunked message in chunks of 1 KiB, say, or a body read in many small
 * reads) is packed: past its first {@value #PIECES_BEFORE_PACKING} pieces, its bytes are copied into
 * buffers of {@value #PACK_BYTES} bytes, each handed to the base class as one piece once full (a
 * piece may be split between two), the last when the body ends. The base class keeps every piece as
 * a component of one composite buffer, which copies them all into one new buffer at 1 024 components
 * (its {@code maxCumulationBufferComponents}) and again every 1 024 pieces after: a 16 MiB answer in
 * 1 KiB chunks needed 32 MiB of direct memory at its end, and ran short under the image's 32 MiB
 * where the same answer in large pieces did not. A piece is also a slice of the buffer it was read
 * into, which it keeps whole: a body of pieces of 32 KiB and a byte, each in a read buffer of 64 KiB,
 * held twice its size. Packed, a body of {@code n} bytes has at most {@code n / }{@value #PACK_BYTES}
 * {@code  + }{@value #PIECES_BEFORE_PACKING}{@code  + 1} components, all but the first
 * {@value #PIECES_BEFORE_PACKING} and the last full, and holds its own size plus one pack: neither
 * copied whole here nor by the epoll transport (which copies a buffer of more than {@code IOV_MAX} =
 * 1 024 pieces into one before writing it), up to about 60 MiB. A body of a few pieces, the usual
 * case, is never copied. (Two reviews broke earlier rules: packing only pieces under 32 KiB let
 * chunks of a byte and 32 KiB in turn reach 1 024 components; handing a pack on when the next piece
 * did not fit left packs half empty, so 16 MiB in pieces of 32 769 bytes took 32 MiB of packs.)
 *
 * <p>The base class's limit is met as without packing, with the same piece: a piece that would take
 * the body over it is not packed, and goes to the base class right after the pack.
 *
 * <p>It never answers an {@code Expect} itself ({@link #newContinueResponse} returns {@code null}):
 * an aggregator that would must not skip the base class's handling of the head. Not
 * {@link io.netty.channel.ChannelHandler.Sharable}: one instance per channel, used only from its
 * event loop.
 */
public class OneReadAggregator extends HttpObjectAggregator {

    /** Pieces of a body handed to the base class as they came before the rest is packed. */
    static final int PIECES_BEFORE_PACKING = 64;
    /** The size of a pack, in bytes: a pack is handed on once full, or when its body ends. */
    static final int PACK_BYTES = 64 * 1024;

    /** The head of a message not yet whole, seen in the current read; null if none. */
    private HttpMessage held;
    /** The held head is being handed to the base class at the end of a read. */
    private boolean releasingHeld;
    /** The base class has a head whose last content it has not seen: it aggregates, nothing is held. */
    private boolean baseMidMessage;
    /** Pieces of the body the base class aggregates, handed to it so far (a pack counts as one). */
    private int piecesPassed;
    /** Bytes of that body handed to the base class so far, which it holds against its limit. */
    private long bytesPassed;
    /** Bytes of that body packed and not yet handed on; null when none. */
    private ByteBuf pack;
    /** The answers read from here on answer a {@code HEAD}: see {@link #answersHead}. */
    private boolean answeringHead;

    /** @param maxContentLength the largest body aggregated, in bytes, ≥ 0 (as the base class) */
    public OneReadAggregator(int maxContentLength) {
        super(maxContentLength);
    }

    /** Also the content that follows a held head, which the base class, not yet aggregating, would pass by. */
    @Override
    public boolean acceptInboundMessage(Object msg) throws Exception {
        return held != null && msg instanceof HttpContent || super.acceptInboundMessage(msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) throws Exception {
        if (releasingHeld) {
            passOn(ctx, msg, out);
            return;
        }
        HttpMessage head = held;
        if (head != null) {
            held = null;
            if (msg instanceof LastHttpContent last && !(msg instanceof HttpMessage)
                    && last.decoderResult().isSuccess() && last.content().readableBytes() <= maxContentLength()) {
                // retained: the decoder releases msg once this returns, and the message now owns the content
                FullHttpMessage whole = beginAggregation(head, last.content().retain());
                try {
                    aggregate(whole, last);
                    finishAggregation(whole);
                } catch (Exception | Error e) {
                    whole.release();
                    throw e;
                }
                out.add(whole);
                return;
            }
            passOn(ctx, head, out);
        }
        if (mayHold(msg)) {
            held = (HttpMessage) msg;
            return;
        }
        passOn(ctx, msg, out);
    }

    /**
     * To the base class, as it would have come without this one, but for the pieces of a body in many
     * pieces, which are packed (see the class comment).
     */
    private void passOn(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) throws Exception {
        if (msg instanceof HttpMessage) {
            dropPack(); // none held: a pack is handed on before the last piece of its body
            baseMidMessage = !(msg instanceof LastHttpContent); // a full message, or one to aggregate
            piecesPassed = 0;
            bytesPassed = 0;
            super.decode(ctx, msg, out);
            return;
        }
        if (msg instanceof HttpContent piece && baseMidMessage && !(msg instanceof LastHttpContent)
                && packed(ctx, piece, out)) {
            return;
        }
        handOnPack(ctx, out);
        if (msg instanceof LastHttpContent) {
            baseMidMessage = false; // the end of the message it aggregates
        }
        if (msg instanceof HttpContent piece) {
            piecesPassed++;
            bytesPassed += piece.content().readableBytes();
        }
        super.decode(ctx, msg, out);
    }

    /** Packs {@code piece} if it is one of many pieces of a body, and says whether it did. */
    private boolean packed(ChannelHandlerContext ctx, HttpContent piece, List<Object> out) throws Exception {
        ByteBuf bytes = piece.content();
        int packedBytes = pack == null ? 0 : pack.readableBytes();
        if (piecesPassed < PIECES_BEFORE_PACKING || !piece.decoderResult().isSuccess()
                || bytesPassed + packedBytes + bytes.readableBytes() > maxContentLength()) {
            return false; // over the limit: the base class finds it with this very piece, as without packing
        }
        // Consumes the piece's bytes (released by the decoder once this returns), filling each pack.
        while (bytes.isReadable()) {
            if (pack == null) {
                pack = ctx.alloc().ioBuffer(PACK_BYTES, PACK_BYTES);
            }
            pack.writeBytes(bytes, Math.min(pack.writableBytes(), bytes.readableBytes()));
            if (!pack.isWritable()) {
                handOnPack(ctx, out);
            }
        }
        return true;
    }

    /** Hands the pack, if any, to the base class as one piece; the base class now owns its bytes. */
    private void handOnPack(ChannelHandlerContext ctx, List<Object> out) throws Exception {
        ByteBuf packed = pack;
        if (packed == null) {
            return;
        }
        pack = null;
        try {
            piecesPassed++;
            bytesPassed += packed.readableBytes();
            super.decode(ctx, new DefaultHttpContent(packed), out); // retained by the base class if kept
        } finally {
            packed.release();
        }
    }

    /** Releases the pack, if any: its message ends here without it. */
    private void dropPack() {
        ByteBuf packed = pack;
        if (packed != null) {
            pack = null;
            packed.release();
        }
    }

    /** A head whose body is still to come, that the base class would only begin to aggregate. */
    private boolean mayHold(HttpObject msg) throws Exception {
        return !baseMidMessage && msg instanceof HttpMessage head && !(msg instanceof FullHttpMessage)
                && head.decoderResult().isSuccess() && !isContentLengthInvalid(head, maxContentLength());
    }

    /** The read is over: a head still held goes to the base class, which aggregates its body as it comes. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        try {
            releaseHeld(ctx);
        } finally {
            super.channelReadComplete(ctx); // passed on, and a read asked for when auto-read is off
        }
    }

    /**
     * A head still held goes to the base class first, which tells a message cut short by the close;
     * a pack is dropped, as the base class drops the body it was aggregating.
     */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        try {
            dropPack();
            releaseHeld(ctx);
        } finally {
            super.channelInactive(ctx);
        }
    }

    /**
     * Leaving the pipeline: a held head and a pack are dropped, as the base class drops the message it
     * was aggregating (a head holds no buffer; nothing is fired from a handler being removed).
     */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
        held = null;
        dropPack();
        super.handlerRemoved(ctx);
    }

    /** Hands a held head to the base class, as it would have come without this one. */
    private void releaseHeld(ChannelHandlerContext ctx) throws Exception {
        HttpMessage head = held;
        if (head != null) {
            held = null;
            releasingHeld = true;
            try {
                channelRead(ctx, head);
            } finally {
                releasingHeld = false;
            }
        }
    }

    /**
     * Marks every answer read on this channel from now on as the answer to a {@code HEAD}: its
     * {@code Content-Length}, if any, is the sender's, as for a 304 ({@link #finishAggregation}).
     * RFC 9110 §9.3.2 lets a server leave the field out of its answer to a {@code HEAD}, or give the
     * size a {@code GET} would get; made up as {@code 0}, it would tell the caller that the resource
     * is empty. Found by review with an upstream that answered {@code HEAD} without the field. (Mist
     * 3.10 sends one, the size of the body it then sends too; mist-api.md §8.) Call on the channel's
     * event loop before the request is written. The mark is never cleared: mistguard does not reuse a
     * connection that carried a {@code HEAD} ({@code upstream.ReuseRule}).
     */
    public void answersHead() {
        answeringHead = true;
    }

    /**
     * As the base class, which gives a message without a {@code Content-Length} one of its body's
     * size, but for an answer whose status allows no content (1xx, 204, 205, 304) or that answers a
     * {@code HEAD} ({@link #answersHead}): its {@code Content-Length}, if any, is the sender's. Found by
     * review: Mist's 304 without one reached the caller with {@code Content-Length: 0}, which RFC 9110
     * §8.6 forbids unless the 200 to the same request would have had no content; a 304's describes
     * that 200's body.
     */
    @Override
    protected void finishAggregation(FullHttpMessage aggregated) throws Exception {
        if (aggregated instanceof HttpResponse answer && (answeringHead || carriesNoContent(answer.status().code()))) {
            return;
        }
        super.finishAggregation(aggregated);
    }

    /** A status whose answers have no content (RFC 9110 §15.2, §15.3.5, §15.3.6, §15.4.5; as exchange/AnswerContent). */
    private static boolean carriesNoContent(int code) {
        return code < 200 || code == 204 || code == 205 || code == 304;
    }

    /** Never an answer of its own: see the class comment. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        return null;
    }
}
