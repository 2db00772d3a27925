package io.mistguard.proxy.cache;

import static java.util.Objects.requireNonNull;

/**
 * One good reply from Mist as it is kept and served again: the body bytes exactly as Mist sent
 * them, their {@code Content-Type} and when they arrived.
 *
 * <p>The body is a plain {@code byte[]}, not a {@code ByteBuf}: an entry then has no reference count,
 * so it can be evicted, replaced or read by any number of event loops at once without an owner, and
 * each answer wraps it ({@code Unpooled.wrappedBuffer}) without copying. Never modify {@link #body()}.
 * Immutable and thread-safe.
 *
 * @param body the reply body, byte for byte
 * @param contentType the reply's {@code Content-Type}, or {@code null} when Mist sent none
 * @param storedAt {@link io.mistguard.proxy.time.Ticker} reading when the reply arrived
 */
record StoredReply(byte[] body, String contentType, long storedAt) {

    /** Bookkeeping per entry beyond body and key: the entry, its node and the strings it points to. */
    static final int OVERHEAD_BYTES = 160;

    StoredReply {
        requireNonNull(body, "body");
    }

    /** What this entry counts against {@code cache.max_bytes} when stored under {@code key}. */
    long weight(String key) {
        return (long) body.length + 2L * key.length() + (contentType == null ? 0 : 2L * contentType.length())
               + OVERHEAD_BYTES;
    }

    /** How old the reply is at {@code now}, in nanoseconds. */
    long ageNanos(long now) {
        return now - storedAt;
    }
}
