package io.mistguard.proxy.cache;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One good reply from Mist as it is kept and served again: the body bytes exactly as Mist sent
 * them, Mist's header fields (its {@code Content-Type}, {@code Server}, CORS fields, {@code Date}...)
 * and when it arrived. A stored answer is then the same answer Mist gave, with only
 * {@code Content-Length} recomputed and mistguard's own fields ({@code Age}, {@code Cache-Status})
 * added (RFC 9111 §4: a stored response is served with its header fields).
 *
 * <p>The body is a plain {@code byte[]}, not a {@code ByteBuf}: an entry then has no reference count,
 * so it can be evicted, replaced or read by any number of event loops at once without an owner, and
 * each answer wraps it ({@code Unpooled.wrappedBuffer}) without copying. Never modify {@link #body()}.
 * Immutable and thread-safe.
 *
 * @param body the reply body, byte for byte
 * @param headers Mist's header fields in order, without the framing ones ({@code Content-Length},
 *                {@code Transfer-Encoding}, {@code Connection}, {@code Keep-Alive}); immutable
 * @param storedAt {@link io.mistguard.proxy.time.Ticker} reading when the reply arrived
 */
record StoredReply(byte[] body, List<Map.Entry<String, String>> headers, long storedAt) {

    /** Bookkeeping per entry beyond body, key and fields: the entry, its node and the lists it points to. */
    static final int OVERHEAD_BYTES = 160;
    /** Per header field: its entry and two strings. */
    static final int FIELD_OVERHEAD_BYTES = 64;
    private static final List<String> FRAMING = List.of("content-length", "transfer-encoding", "connection",
                                                        "keep-alive");

    StoredReply {
        requireNonNull(body, "body");
        headers = List.copyOf(headers);
    }

    /** A reply with only a {@code Content-Type} (or none, when {@code contentType} is null). */
    StoredReply(byte[] body, String contentType, long storedAt) {
        this(body, contentType == null ? List.of() : List.of(Map.entry("Content-Type", contentType)), storedAt);
    }

    /** Keeps {@code body} and the end-to-end fields of {@code mistHeaders}. */
    static StoredReply of(byte[] body, HttpHeaders mistHeaders, long storedAt) {
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        for (Map.Entry<String, String> field : mistHeaders) {
            if (!FRAMING.contains(field.getKey().toLowerCase(Locale.ROOT))) {
                kept.add(Map.entry(field.getKey(), field.getValue()));
            }
        }
        return new StoredReply(body, kept, storedAt);
    }

    /** The first {@code Content-Type} Mist sent, or {@code null}. */
    String contentType() {
        for (Map.Entry<String, String> field : headers) {
            if (field.getKey().equalsIgnoreCase("content-type")) {
                return field.getValue();
            }
        }
        return null;
    }

    /** What this entry counts against {@code cache.max_bytes} when stored under {@code key}. */
    long weight(String key) {
        long fields = 0;
        for (Map.Entry<String, String> field : headers) {
            fields += 2L * (field.getKey().length() + field.getValue().length()) + FIELD_OVERHEAD_BYTES;
        }
        return (long) body.length + 2L * key.length() + fields + OVERHEAD_BYTES;
    }

    /** How old the reply is at {@code now}, in nanoseconds. */
    long ageNanos(long now) {
        return now - storedAt;
    }
}
