package io.mistguard.proxy.net;

/**
 * How large a piece of a body Netty's HTTP decoders hand on at most
 * ({@code HttpDecoderConfig.setMaxChunkSize}) wherever an aggregator gathers the body whole: callers'
 * requests on the proxy and trigger listeners, answers from Mist, and Mist's answer to a WebSocket
 * upgrade.
 *
 * <p>Why not Netty's default of 8 KiB: a body arrives as one piece per 8 KiB, and an aggregator
 * gathers the pieces in a {@code CompositeByteBuf} that, at 1 024 pieces (8 MiB), copies them all
 * into one new buffer, and again and again as the body grows; and the epoll transport copies a
 * buffer of more than {@code IOV_MAX} (1 024) pieces into one direct buffer before it writes it.
 * Each copy is direct memory the size of the body, which the image caps at 32 MiB
 * ({@code -XX:MaxDirectMemorySize}) for every answer in flight together: a 16 MiB reply from Mist
 * failed with 502 {@code bad-response} ("Cannot reserve … direct buffer memory"), under
 * {@code upstream.max_response_bytes}' then default of 64 MiB, and so did a caller's body of tens of MiB that
 * {@code limits.max_body_bytes} allowed. With pieces as large as each read (this bound is
 * far above a read's size), a body of tens of MiB is a few hundred pieces, aggregated and written
 * without a copy, and needs its own size in direct memory. A body that still comes in many small
 * pieces (small chunks, or small reads) is packed by {@link OneReadAggregator}.
 *
 * <p>This is an upper bound, not an allocation: a piece is a slice of the buffer the socket read
 * into.
 */
public final class ContentPieces {

    /** The most bytes of a body the decoder hands on in one piece: 1 MiB. */
    public static final int MAX_BYTES = 1 << 20;

    private ContentPieces() {
    }
}
